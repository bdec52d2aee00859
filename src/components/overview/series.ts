/** Pure helpers placing the usage series on the charts (unit-tested in series.test.ts). */
export interface SeriesLike<P> {
  step: number;
  from: number | null;
  to: number | null;
  points: P[];
}

type Point = { t: number; provider: string };
export type Row = Record<string, number | null> & { t: number };

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const TICK_STEPS = [
  5 * MIN,
  10 * MIN,
  15 * MIN,
  30 * MIN,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
];

/** The series name of requests refused before a provider was chosen (as GET /v1/usage names them). */
export const NO_PROVIDER = "unknown";

/**
 * Long rows (t, provider, value) → one row per bucket with a column per provider, a row for every
 * bucket of the span. With `zero` a provider without requests in a bucket counts 0 (bars); without,
 * it is null, so a line breaks there instead of bridging the gap. Requests with no provider (a 401, a
 * body that is not JSON) are the NO_PROVIDER series, never a nameless one (a legend swatch without a
 * label); a series with nothing to draw (every value 0 or null, e.g. their tokens) is left out.
 */
export function pivot<P extends Point>(s: SeriesLike<P>, value: (p: P) => number | null, zero: boolean) {
  const drawn = new Set<string>();
  const byT = new Map<number, Row>();
  if (s.step > 0 && s.from != null && s.to != null) {
    const first = Math.floor(s.from / s.step) * s.step;
    for (let t = first; t < s.to && byT.size < 2_000; t += s.step) byT.set(t, { t } as Row);
  }
  for (const p of s.points) {
    const name = p.provider || NO_PROVIDER;
    const row = byT.get(p.t) ?? ({ t: p.t } as Row);
    const v = value(p);
    row[name] = v;
    if (v) drawn.add(name);
    byT.set(p.t, row);
  }
  const providers = [...drawn].sort();
  for (const row of byT.values()) {
    for (const k of Object.keys(row)) if (k !== "t" && !drawn.has(k)) delete row[k];
  }
  const rows = [...byT.values()].sort((a, b) => a.t - b.t);
  for (const row of rows) for (const p of providers) row[p] ??= zero ? 0 : null;
  return { rows, providers };
}

/**
 * The x axis: the domain is the span chosen (not the first to the last point), with about five ticks
 * on round times; times of day for spans up to two days, dates beyond.
 */
export function axisTicks<P>(s: SeriesLike<P>) {
  const lo = s.from ?? 0;
  const hi = s.to ?? lo + HOUR;
  const span = Math.max(1, hi - lo);
  const every = TICK_STEPS.find((t) => span / t <= 6) ?? TICK_STEPS.at(-1) ?? DAY;
  // Round times in local time: shift by the zone offset so ticks fall on whole local hours / days.
  const offset = new Date(lo).getTimezoneOffset() * MIN;
  const ticks: number[] = [];
  for (let t = Math.ceil((lo - offset) / every) * every + offset; t <= hi; t += every) ticks.push(t);
  const withDate = span > 2 * DAY;
  const format = (t: number) => {
    const d = new Date(t);
    if (withDate) return d.toLocaleDateString("en-GB", { day: "numeric", month: "short" });
    return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  };
  return { domain: [lo, hi] as [number, number], ticks, format };
}
