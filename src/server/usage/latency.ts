import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import { env } from "../env";
import { atMs } from "../sql";
import { binValue, DAY, HOUR, type Interval, rankOf, split } from "./periods";
import { binSql, numOrNull, within } from "./rollup-sql";

/** Which latency: durationMs of ok and error requests, or ttftMs where it is not null. */
export type LatencyKind = "duration" | "ttft";

/** Up to this many values a percentile is computed exactly from Request; above, from the histograms. */
export const EXACT_LIMIT = 10_000;

/** Unix ms before which retention may have deleted records (-Infinity when RETENTION_DAYS is 0). */
export function retainedSince(now = Date.now()): number {
  const days = env().RETENTION_DAYS;
  return days > 0 ? now - days * DAY : Number.NEGATIVE_INFINITY;
}

const KIND = { duration: 0, ttft: 1 } as const;
const COLUMN = { duration: '"durationMs"', ttft: '"ttftMs"' } as const;
const WHERE = {
  duration: Prisma.sql`"status" IN ('ok', 'error')`,
  ttft: Prisma.sql`"ttftMs" IS NOT NULL`,
} as const;

/**
 * Nearest-rank percentiles (the value at rank ceil(p·n) in sorted order) of one latency over [lo, hi),
 * `count` being how many values there are (from the usage totals). Exact when count ≤ EXACT_LIMIT
 * (sorted in SQL); otherwise read from the latency histograms and exact to within a bin: the value
 * returned is the middle of the bin holding that rank, within 3.2% of the exact percentile (exact
 * below 32 ms). Null when there are no values.
 */
export async function percentiles(
  kind: LatencyKind,
  range: Interval,
  count: number,
  ps: readonly number[],
  mode: "auto" | "exact" | "histogram" = "auto",
): Promise<Array<number | null>> {
  if (count <= 0) return ps.map(() => null);
  // Exact percentiles sort Request rows: not where retention (RETENTION_DAYS) pruned them already.
  const kept = range[0] >= retainedSince();
  const exact = mode === "exact" || (mode === "auto" && count <= EXACT_LIMIT && kept);
  return exact ? exactPercentiles(kind, range, count, ps) : histogramPercentiles(kind, range, ps);
}

async function exactPercentiles(kind: LatencyKind, [lo, hi]: Interval, count: number, ps: readonly number[]) {
  const prisma = await db();
  const col = Prisma.raw(COLUMN[kind]);
  const picks = ps.map(
    (
      p,
      i,
    ) => Prisma.sql`(SELECT ${col} FROM "Request" WHERE "createdAt" >= ${atMs(lo)} AND "createdAt" < ${atMs(hi)} AND ${WHERE[kind]}
      ORDER BY ${col} LIMIT 1 OFFSET ${rankOf(count, p) - 1}) AS ${Prisma.raw(`p${i}`)}`,
  );
  const [row] = await prisma.$queryRaw<Record<string, unknown>[]>`SELECT ${Prisma.join(picks)}`;
  return ps.map((_, i) => numOrNull(row?.[`p${i}`]));
}

/**
 * Whole days from the daily histogram, whole hours of the edge days from the hourly one, and the
 * partial hours at the edges from Request, binned the same way; then the bin where the running
 * count reaches each rank (window function, all in SQL).
 */
async function histogramPercentiles(kind: LatencyKind, range: Interval, ps: readonly number[]) {
  const prisma = await db();
  const days = split(range, DAY);
  const hours: Interval[] = [];
  const raw: Interval[] = [];
  for (const edge of days.edges) {
    const h = split(edge, HOUR);
    if (h.whole) hours.push(h.whole);
    raw.push(...h.edges);
  }
  const k = KIND[kind];
  const picks = ps.map(
    (p, i) => Prisma.sql`(SELECT MIN("bin") FROM c WHERE cum * 100 >= total * ${p}) AS ${Prisma.raw(`p${i}`)}`,
  );
  const [row] = await prisma.$queryRaw<Record<string, unknown>[]>`
    WITH h AS (
      SELECT "bin", SUM("count") AS n FROM "LatencyHistogram"
      WHERE "kind" = ${k} AND "span" = 24 AND ${within('"start"', days.whole ? [days.whole] : [])} GROUP BY "bin"
      UNION ALL
      SELECT "bin", SUM("count") FROM "LatencyHistogram"
      WHERE "kind" = ${k} AND "span" = 1 AND ${within('"start"', hours)} GROUP BY "bin"
      UNION ALL
      SELECT ${binSql(COLUMN[kind])}, 1 FROM "Request" WHERE ${within('"createdAt"', raw)} AND ${WHERE[kind]}
    ),
    g AS (SELECT "bin", SUM(n) AS n FROM h GROUP BY "bin" HAVING SUM(n) > 0),
    c AS (SELECT "bin", SUM(n) OVER (ORDER BY "bin") AS cum, SUM(n) OVER () AS total FROM g)
    SELECT ${Prisma.join(picks)}`;
  return ps.map((_, i) => {
    const bin = numOrNull(row?.[`p${i}`]);
    return bin === null ? null : binValue(bin);
  });
}
