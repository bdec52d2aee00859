import "server-only";
import { db } from "../db";
import { percentiles } from "./latency";
import { DAY, HOUR, interval, type TimeRange } from "./periods";
import { num, numOrNull, usageRows } from "./rollup-sql";
import { type SeriesPoint, timeSeries } from "./series";

// The operator console's usage queries. Totals are exact: whole hours come from the UsageHourly rollup
// (kept by SQL triggers on Request) and only the partial hours at a range's edges from Request, so a
// query reads a few thousand rows at most, whatever the table size. Percentiles: see latency.ts.

export type { SeriesPoint, TimeRange };
export type RangeKey = "1h" | "24h" | "7d" | "30d" | "all";

const RANGE_MS: Record<Exclude<RangeKey, "all">, number> = { "1h": HOUR, "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY };

/** The range a console key means: the last hour, day, … up to now (open-ended), or everything. */
export function rangeOf(key: RangeKey, now = Date.now()): { since: Date | null; until: Date | null } {
  return key === "all" ? { since: null, until: null } : { since: new Date(now - RANGE_MS[key]), until: null };
}

export interface UsageSummary {
  requests: number;
  errors: number;
  cancelled: number;
  /** errors / requests, 0 when there are none. */
  errorRate: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens: number;
  /** Null when no request in the range has a cost. */
  costUsd: number | null;
  /** Over ok and error requests' durationMs; null when there are none. */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  /** Over requests whose ttftMs is known; null when there are none. */
  p50TtftMs: number | null;
}

/**
 * Totals and latency percentiles over [since, until). Percentiles are nearest-rank: exact up to
 * 10,000 values, above that from the latency histograms, within 3.2% of the exact value (latency.ts).
 */
export async function usageSummary(range: TimeRange): Promise<UsageSummary> {
  const prisma = await db();
  const span = interval(range);
  const [t = {}] = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT SUM("requests") AS "requests", SUM("errors") AS "errors", SUM("cancelled") AS "cancelled",
      SUM("promptTokens") AS "promptTokens", SUM("completionTokens") AS "completionTokens",
      SUM("totalTokens") AS "totalTokens", SUM("cachedTokens") AS "cachedTokens", SUM("costUsd") AS "costUsd",
      SUM("latencyCount") AS "latencyCount", SUM("ttftCount") AS "ttftCount"
    FROM ${usageRows(span)}`;
  const requests = num(t.requests);
  const errors = num(t.errors);
  const [[p50LatencyMs = null, p95LatencyMs = null], [p50TtftMs = null]] = await Promise.all([
    percentiles("duration", span, num(t.latencyCount), [50, 95]),
    percentiles("ttft", span, num(t.ttftCount), [50]),
  ]);
  return {
    requests,
    errors,
    cancelled: num(t.cancelled),
    errorRate: requests > 0 ? errors / requests : 0,
    promptTokens: num(t.promptTokens),
    completionTokens: num(t.completionTokens),
    totalTokens: num(t.totalTokens),
    cachedTokens: num(t.cachedTokens),
    costUsd: numOrNull(t.costUsd),
    p50LatencyMs,
    p95LatencyMs,
    p50TtftMs,
  };
}

/**
 * Requests, errors, tokens and mean latencies per time bucket and provider, for charts: one point per
 * (bucket, provider) that had requests (a missing pair means zero), ordered by t, then provider. The
 * step is picked from the span (periods.ts STEPS; with 48 buckets: 1h → 2 min, 24h → 1 h, 7d → 6 h,
 * 30d → 1 day), buckets are aligned to it in UTC; "all" spans the first to the last request.
 */
export async function usageTimeSeries(range: TimeRange, buckets = 48): Promise<SeriesPoint[]> {
  const series = await timeSeries(range, Math.min(Math.max(1, buckets), 1000));
  return series?.points ?? [];
}

export interface ErrorRow {
  id: string;
  createdAt: Date;
  model: string;
  provider: string;
  httpStatus: number;
  errorType: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** The API path called: what a failed call without a model (a 401 on /v1/models) was. */
  endpoint: string;
}

/** The newest failed requests (status "error"; cancelled ones are not errors), newest first. */
export async function latestErrors(limit = 10, range?: TimeRange): Promise<ErrorRow[]> {
  const prisma = await db();
  return prisma.request.findMany({
    where: {
      status: "error",
      createdAt: { gte: range?.since ?? undefined, lt: range?.until ?? undefined },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, Math.trunc(limit)), 200),
    select: {
      id: true,
      createdAt: true,
      model: true,
      provider: true,
      httpStatus: true,
      errorType: true,
      errorCode: true,
      errorMessage: true,
      endpoint: true,
    },
  });
}

/**
 * The distinct models, providers and upstream hosts ever recorded (sorted; empty names left out). A skip scan: each
 * step seeks the next value in the index, so the cost grows with the number of names, not of rows.
 */
export async function filterOptions(): Promise<{
  models: string[];
  providers: string[];
  hosts: string[];
  tools: string[];
}> {
  const prisma = await db();
  const rows = await prisma.$queryRaw<{ k: string; v: string }[]>`
    WITH RECURSIVE
      m(v) AS (SELECT MIN("model") FROM "Request" UNION ALL
        SELECT (SELECT MIN("model") FROM "Request" WHERE "model" > m.v) FROM m WHERE m.v IS NOT NULL),
      p(v) AS (SELECT MIN("provider") FROM "Request" UNION ALL
        SELECT (SELECT MIN("provider") FROM "Request" WHERE "provider" > p.v) FROM p WHERE p.v IS NOT NULL),
      h(v) AS (SELECT MIN("upstreamHost") FROM "Request" UNION ALL
        SELECT (SELECT MIN("upstreamHost") FROM "Request" WHERE "upstreamHost" > h.v) FROM h WHERE h.v IS NOT NULL),
      t(v) AS (SELECT MIN("tool") FROM "RequestStep" UNION ALL
        SELECT (SELECT MIN("tool") FROM "RequestStep" WHERE "tool" > t.v) FROM t WHERE t.v IS NOT NULL)
    SELECT 'm' AS k, v FROM m WHERE v IS NOT NULL AND v <> ''
    UNION ALL
    SELECT 'p', v FROM p WHERE v IS NOT NULL AND v <> ''
    UNION ALL
    SELECT 'h', v FROM h WHERE v IS NOT NULL AND v <> ''
    UNION ALL
    SELECT 't', v FROM t WHERE v IS NOT NULL AND v <> ''
    ORDER BY k, v`;
  const of = (k: string) => rows.filter((r) => r.k === k).map((r) => String(r.v));
  return { models: of("m"), providers: of("p"), hosts: of("h"), tools: of("t") };
}
