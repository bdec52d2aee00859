import "server-only";
import { db } from "../db";
import { badRequest } from "../openai/errors";
import { interval, type TimeRange } from "./periods";
import { num, usageRows } from "./rollup-sql";

export interface UsageRow {
  model: string;
  provider: string;
  requests: number;
  errors: number;
  cancelled: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  cost_usd: number | null;
  avg_duration_ms: number;
}

export type { TimeRange };

/** The model and provider of requests that never named a (valid) one: bad JSON, 401, 413… */
export const UNKNOWN = "unknown";

/** ISO 8601, or Unix time in seconds (or milliseconds when it is that large). */
export function parseTime(raw: string | null, param: string): Date | null {
  if (raw == null || raw.trim() === "") return null;
  const s = raw.trim();
  const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
  const d = Number.isFinite(n) ? new Date(n > 1e12 ? n : n * 1000) : new Date(s);
  if (Number.isNaN(d.getTime())) {
    throw badRequest(
      `Invalid value for '${param}': expected an ISO 8601 time or Unix seconds, got "${raw}".`,
      param,
      "invalid_value",
    );
  }
  return d;
}

/**
 * Usage grouped by model and provider over [since, until), aggregated in SQL: whole hours from the
 * UsageHourly rollup, the partial hours at the edges from Request (see rollup-sql.ts).
 */
export async function usageByModel(range: TimeRange): Promise<UsageRow[]> {
  const prisma = await db();
  // A request whose body could not be parsed has no model or provider: it counts as "unknown".
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT CASE WHEN model = '' THEN ${UNKNOWN} ELSE model END AS model,
      CASE WHEN provider = '' THEN ${UNKNOWN} ELSE provider END AS provider, SUM(requests) AS requests, SUM(errors) AS errors, SUM(cancelled) AS cancelled,
      SUM(promptTokens) AS prompt_tokens, SUM(completionTokens) AS completion_tokens,
      SUM(totalTokens) AS total_tokens, SUM(cachedTokens) AS cached_tokens, SUM(costUsd) AS cost_usd,
      SUM(durationMs) AS duration_ms
    FROM ${usageRows(interval(range))}
    GROUP BY 1, 2 HAVING SUM(requests) > 0
    ORDER BY requests DESC, model ASC`;
  return rows.map((r) => ({
    model: String(r.model),
    provider: String(r.provider),
    requests: num(r.requests),
    errors: num(r.errors),
    cancelled: num(r.cancelled),
    prompt_tokens: num(r.prompt_tokens),
    completion_tokens: num(r.completion_tokens),
    total_tokens: num(r.total_tokens),
    cached_tokens: num(r.cached_tokens),
    cost_usd: r.cost_usd == null ? null : Number(r.cost_usd),
    avg_duration_ms: Math.round(num(r.duration_ms) / Math.max(1, num(r.requests))),
  }));
}
