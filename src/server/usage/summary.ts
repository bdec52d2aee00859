import "server-only";
import { db } from "../db";
import { badRequest } from "../openai/errors";

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

export interface TimeRange {
  since: Date | null;
  until: Date | null;
}

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

const num = (v: unknown) => (v == null ? 0 : Number(v));

/** Usage grouped by model and provider over [since, until), aggregated in SQL. */
export async function usageByModel(range: TimeRange): Promise<UsageRow[]> {
  const prisma = await db();
  const since = range.since?.getTime() ?? 0;
  const until = range.until?.getTime() ?? 8.64e15;
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT model, provider, COUNT(*) AS requests,
      SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors,
      SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
      SUM(promptTokens) AS prompt_tokens, SUM(completionTokens) AS completion_tokens,
      SUM(totalTokens) AS total_tokens, SUM(cachedTokens) AS cached_tokens,
      SUM(costUsd) AS cost_usd, AVG(durationMs) AS avg_duration_ms
    FROM Request WHERE createdAt >= ${since} AND createdAt < ${until}
    GROUP BY model, provider ORDER BY requests DESC, model ASC`;
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
    avg_duration_ms: Math.round(num(r.avg_duration_ms)),
  }));
}
