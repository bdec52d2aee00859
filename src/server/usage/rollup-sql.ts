import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { dialect } from "../db";
import { atMs, msOf } from "../sql";
import { binSqlText, HOUR, type Interval, pgBinSqlText, split } from "./periods";

// SQL pieces that read usage from the rollups (UsageHourly, LatencyHistogram) for whole periods and
// from Request for the partial hours at a range's edges. The rollups are kept by SQL triggers on
// Request (migration 20261121020000_console_indexes; on PostgreSQL prisma/postgres/migrations/
// 20261127000610_rollup_triggers), so the sums are exact for any range. Written once for both databases
// (see ../sql.ts): quoted identifiers, CASE for counts, times compared and returned as Unix ms.

type Sql = Prisma.Sql;

/** DateTime column `col` within any of the intervals of Unix ms (false when there is none). */
export function within(col: string, intervals: readonly Interval[]): Sql {
  if (intervals.length === 0) return Prisma.sql`1 = 0`;
  const c = Prisma.raw(col);
  return Prisma.join(
    intervals.map(([lo, hi]) => Prisma.sql`(${c} >= ${atMs(lo)} AND ${c} < ${atMs(hi)})`),
    " OR ",
    "(",
    ")",
  );
}

/** The histogram bin of an integer column (periods.ts binSqlText / pgBinSqlText: binOf() in SQL). */
export function binSql(col: string): Sql {
  return Prisma.raw(dialect() === "postgres" ? pgBinSqlText(col) : binSqlText(col));
}

/**
 * A subquery of usage rows over [lo, hi), one per (hour, provider, model) from UsageHourly plus one per
 * request at the edges, with columns: at (hour start or createdAt), provider, model, requests, errors,
 * cancelled, promptTokens, completionTokens, totalTokens, cachedTokens, costUsd, durationMs,
 * latencyCount, latencyMs (ok and error requests), ttftCount, ttftMs. `hourly` false reads only raw rows.
 */
export function usageRows(range: Interval, hourly = true): Sql {
  const { whole, edges } = hourly ? split(range, HOUR) : { whole: null, edges: range[0] < range[1] ? [range] : [] };
  const is = (cond: string) => Prisma.raw(`CASE WHEN ${cond} THEN 1 ELSE 0 END`);
  return Prisma.sql`(
    SELECT ${msOf('"hour"')} AS at, "provider", "model", "requests", "errors", "cancelled", "promptTokens",
      "completionTokens", "totalTokens", "cachedTokens", "costUsd", "durationMs", "latencyCount", "latencyMs",
      "ttftCount", "ttftMs"
    FROM "UsageHourly" WHERE ${within('"hour"', whole ? [whole] : [])}
    UNION ALL
    SELECT ${msOf('"createdAt"')}, "provider", "model", 1, ${is(`"status" = 'error'`)}, ${is(`"status" = 'cancelled'`)},
      "promptTokens", "completionTokens", "totalTokens", "cachedTokens", "costUsd", "durationMs",
      ${is(`"status" IN ('ok', 'error')`)}, CASE WHEN "status" IN ('ok', 'error') THEN "durationMs" ELSE 0 END,
      ${is(`"ttftMs" IS NOT NULL`)}, COALESCE("ttftMs", 0)
    FROM "Request" WHERE ${within('"createdAt"', edges)}
  ) AS u`;
}

/**
 * Values from $queryRaw (number, bigint, numeric string, Decimal or null) as a number. On PostgreSQL the
 * rollup columns are bigint, so SUM() over them is numeric (a Decimal here), and the sums over Request are
 * bigint: exact as numbers below 2^53.
 */
export const num = (v: unknown): number => (v == null ? 0 : Number(v));
export const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
