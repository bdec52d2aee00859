import "server-only";

// Time arithmetic shared by the console's queries. Times are unix milliseconds, periods are UTC.

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Stand-ins for "no bound" (the limits of a JS Date); both are whole days. */
export const MIN_MS = -8.64e15;
export const MAX_MS = 8.64e15;

/** A half-open interval [lo, hi) of unix milliseconds. */
export type Interval = readonly [lo: number, hi: number];

export interface TimeRange {
  since: Date | null;
  until: Date | null;
}

export function interval(range: TimeRange): Interval {
  return [range.since?.getTime() ?? MIN_MS, range.until?.getTime() ?? MAX_MS];
}

export const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
export const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

/**
 * Splits [lo, hi) into the whole periods of `unit` it contains (null when none) and the partial
 * periods at its edges (at most two intervals, each shorter than one unit).
 */
export function split([lo, hi]: Interval, unit: number): { whole: Interval | null; edges: Interval[] } {
  if (lo >= hi) return { whole: null, edges: [] };
  const a = ceilTo(lo, unit);
  const b = floorTo(hi, unit);
  if (a >= b) return { whole: null, edges: [[lo, hi]] };
  const edges: Interval[] = [];
  if (lo < a) edges.push([lo, a]);
  if (b < hi) edges.push([b, hi]);
  return { whole: [a, b], edges };
}

/**
 * Steps a time series may use, smallest first. There is no 30-minute step on purpose: a day then gets
 * hourly buckets, which come from the hourly rollup instead of the raw rows.
 */
export const STEPS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
] as const;

/** The smallest step that covers `spanMs` in at most `buckets` buckets (whole days past the ladder). */
export function pickStep(spanMs: number, buckets: number): number {
  const n = Math.max(1, Math.floor(buckets));
  for (const step of STEPS) if (Math.ceil(spanMs / step) <= n) return step;
  return ceilTo(spanMs / n, DAY);
}

/**
 * Latency histogram bins: values below 32 ms have a bin each; above, each power of two is cut into 16
 * bins, so a bin spans 1/16 of its lower bound at most. binSqlText() is the same formula in SQL
 * (bins.test.ts checks that they agree, and that the migration's triggers use exactly that text).
 */
export function binOf(ms: number): number {
  const v = Math.max(0, Math.trunc(ms));
  if (v < 32) return v;
  const e = Math.floor(Math.log2(v));
  return (e - 4) * 16 + Math.floor(v / 2 ** (e - 4));
}

/**
 * binOf() in SQLite for an integer column expression (`durationMs`, `NEW."ttftMs"`): the one text of
 * the formula in SQL. The queries use it (rollup-sql.ts binSql); the triggers of migration
 * 20261121020000_console_indexes hold it verbatim, which bins.test.ts asserts.
 */
export function binSqlText(col: string): string {
  return (
    `CASE WHEN ${col} < 32 THEN MAX(${col}, 0) ` +
    `ELSE (CAST(log2(${col}) AS INTEGER) - 4) * 16 + (${col} >> (CAST(log2(${col}) AS INTEGER) - 4)) END`
  );
}

/** The values a bin holds, [lo, hi). */
export function binBounds(bin: number): Interval {
  if (bin < 32) return [bin, bin + 1];
  const shift = Math.floor(bin / 16) - 1;
  const lo = (bin - shift * 16) * 2 ** shift;
  return [lo, lo + 2 ** shift];
}

/** A bin's representative value: the middle of its integers (within 1/32 of any value in the bin). */
export function binValue(bin: number): number {
  const [lo, hi] = binBounds(bin);
  return Math.round((lo + hi - 1) / 2);
}

/** Nearest-rank percentile position (1-based) among n sorted values: ceil(p/100 · n). */
export const rankOf = (n: number, p: number) => Math.max(1, Math.ceil((n * p) / 100));
