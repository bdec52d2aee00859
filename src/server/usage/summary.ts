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
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT "model", "provider", SUM("requests") AS "requests", SUM("errors") AS "errors",
      SUM("cancelled") AS "cancelled", SUM("promptTokens") AS prompt_tokens, SUM("completionTokens") AS completion_tokens,
      SUM("totalTokens") AS total_tokens, SUM("cachedTokens") AS cached_tokens, SUM("costUsd") AS cost_usd,
      SUM("durationMs") AS duration_ms
    FROM ${usageRows(interval(range))}
    GROUP BY "model", "provider" HAVING SUM("requests") > 0
    ORDER BY 3 DESC, "model" ASC`;
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

/**
 * The rows as /v1/usage shows them: a request whose body could not be parsed has no model, one refused
 * before its provider was chosen has no provider; both show as "unknown" (rows that meet are merged).
 */
export function namedRows(rows: UsageRow[]): UsageRow[] {
  const out = new Map<string, UsageRow>();
  for (const r of rows) {
    const row = { ...r, model: r.model || UNKNOWN, provider: r.provider || UNKNOWN };
    const key = JSON.stringify([row.model, row.provider]);
    const prev = out.get(key);
    if (!prev) {
      out.set(key, row);
      continue;
    }
    const requests = prev.requests + row.requests;
    out.set(key, {
      ...prev,
      requests,
      errors: prev.errors + row.errors,
      cancelled: prev.cancelled + row.cancelled,
      prompt_tokens: prev.prompt_tokens + row.prompt_tokens,
      completion_tokens: prev.completion_tokens + row.completion_tokens,
      total_tokens: prev.total_tokens + row.total_tokens,
      cached_tokens: prev.cached_tokens + row.cached_tokens,
      cost_usd: prev.cost_usd == null && row.cost_usd == null ? null : (prev.cost_usd ?? 0) + (row.cost_usd ?? 0),
      avg_duration_ms: Math.round(
        (prev.avg_duration_ms * prev.requests + row.avg_duration_ms * row.requests) / requests,
      ),
    });
  }
  return [...out.values()].sort(
    (a, b) => b.requests - a.requests || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0),
  );
}
