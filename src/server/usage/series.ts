import "server-only";
import { db } from "../db";
import { msOf } from "../sql";
import { HOUR, type Interval, pickStep, type TimeRange } from "./periods";
import { num, numOrNull, usageRows } from "./rollup-sql";

export interface SeriesPoint {
  /** Bucket start, unix ms (buckets are aligned to the step in UTC). */
  t: number;
  provider: string;
  requests: number;
  errors: number;
  totalTokens: number;
  /**
   * Mean durationMs of the bucket's ok and error requests (when it has only cancelled ones: of those,
   * the time until the client gave up).
   */
  avgLatencyMs: number;
  /** Mean ttftMs where it is known; null when it is known for none. */
  avgTtftMs: number | null;
}

export interface TimeSeries {
  step: number;
  points: SeriesPoint[];
}

/**
 * The span a series covers: [since, until), an open end meaning now; with no `since` the span starts at
 * the first request (and with neither bound ends after the last one). Null when there is no data.
 */
async function span(range: TimeRange, now: number): Promise<Interval | null> {
  if (range.since && range.until) return [range.since.getTime(), range.until.getTime()];
  if (range.since) return [range.since.getTime(), Math.max(now, range.since.getTime() + 1)];
  const prisma = await db();
  const [row] = await prisma.$queryRaw<{ lo: unknown; hi: unknown }[]>`
    SELECT (SELECT ${msOf('MIN("createdAt")')} FROM "Request") AS lo, (SELECT ${msOf('MAX("createdAt")')} FROM "Request") AS hi`;
  const lo = numOrNull(row?.lo);
  const hi = numOrNull(row?.hi);
  if (lo === null || hi === null) return null;
  return [lo, range.until ? range.until.getTime() : hi + 1];
}

/**
 * Requests, errors, tokens and mean latencies per bucket and provider (only pairs that had requests),
 * ordered by t then provider. The step is the smallest of periods.ts STEPS giving at most `buckets`
 * buckets; whole hours come from the hourly rollup, so only steps under an hour (spans up to 12 h with
 * 48 buckets) read Request rows.
 */
export async function timeSeries(range: TimeRange, buckets = 48, now = Date.now()): Promise<TimeSeries | null> {
  const s = await span(range, now);
  if (!s || s[0] >= s[1]) return null;
  const step = pickStep(s[1] - s[0], buckets);
  const prisma = await db();
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT at - (at % CAST(${step} AS BIGINT)) AS t, "provider", SUM("requests") AS "requests", SUM("errors") AS "errors",
      SUM("totalTokens") AS "totalTokens", SUM("latencyMs") AS "latencyMs", SUM("latencyCount") AS "latencyCount",
      SUM("durationMs") AS "durationMs", SUM("ttftMs") AS "ttftMs", SUM("ttftCount") AS "ttftCount"
    FROM ${usageRows(s, step % HOUR === 0)}
    GROUP BY 1, "provider" HAVING SUM("requests") > 0
    ORDER BY 1, "provider"`;
  const points = rows.map((r): SeriesPoint => {
    const lat = num(r.latencyCount);
    const ttft = num(r.ttftCount);
    return {
      t: num(r.t),
      provider: String(r.provider),
      requests: num(r.requests),
      errors: num(r.errors),
      totalTokens: num(r.totalTokens),
      avgLatencyMs: Math.round(lat > 0 ? num(r.latencyMs) / lat : num(r.durationMs) / Math.max(1, num(r.requests))),
      avgTtftMs: ttft > 0 ? Math.round(num(r.ttftMs) / ttft) : null,
    };
  });
  return { step, points };
}
