import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { binSqlText, HOUR, type Interval, split } from "./periods";

// SQL pieces that read usage from the rollups (UsageHourly, LatencyHistogram) for whole periods and
// from Request for the partial hours at a range's edges. The rollups are kept by SQL triggers on
// Request (migration 20261121020000_console_indexes), so the sums are exact for any range.

type Sql = Prisma.Sql;

/** `col` within any of the intervals (false when there is none). */
export function within(col: string, intervals: readonly Interval[]): Sql {
  if (intervals.length === 0) return Prisma.sql`0`;
  const c = Prisma.raw(col);
  return Prisma.join(
    intervals.map(([lo, hi]) => Prisma.sql`(${c} >= ${lo} AND ${c} < ${hi})`),
    " OR ",
    "(",
    ")",
  );
}

/** The histogram bin of an integer column (periods.ts binSqlText: the one SQL text of binOf()). */
export function binSql(col: string): Sql {
  return Prisma.raw(binSqlText(col));
}

/**
 * A subquery of usage rows over [lo, hi), one per (hour, provider, model) from UsageHourly plus one per
 * request at the edges, with columns: at (hour start or createdAt), provider, model, requests, errors,
 * cancelled, promptTokens, completionTokens, totalTokens, cachedTokens, costUsd, durationMs,
 * latencyCount, latencyMs (ok and error requests), ttftCount, ttftMs. `hourly` false reads only raw rows.
 */
export function usageRows(range: Interval, hourly = true): Sql {
  const { whole, edges } = hourly ? split(range, HOUR) : { whole: null, edges: range[0] < range[1] ? [range] : [] };
  return Prisma.sql`(
    SELECT "hour" AS at, provider, model, requests, errors, cancelled, promptTokens, completionTokens, totalTokens,
      cachedTokens, costUsd, durationMs, latencyCount, latencyMs, ttftCount, ttftMs
    FROM UsageHourly WHERE ${within('"hour"', whole ? [whole] : [])}
    UNION ALL
    SELECT createdAt, provider, model, 1, status = 'error', status = 'cancelled', promptTokens, completionTokens,
      totalTokens, cachedTokens, costUsd, durationMs, status IN ('ok', 'error'),
      CASE WHEN status IN ('ok', 'error') THEN durationMs ELSE 0 END, ttftMs IS NOT NULL, COALESCE(ttftMs, 0)
    FROM Request WHERE ${within("createdAt", edges)}
  )`;
}

/** Values from $queryRaw (number, bigint, numeric string or null) as a number. */
export const num = (v: unknown): number => (v == null ? 0 : Number(v));
export const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
