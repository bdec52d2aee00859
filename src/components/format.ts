/** Display formatting shared by the console pages. */
const int = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const usd2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const fmtInt = (n: number | null | undefined) => (n == null ? "–" : int.format(Math.round(n)));
export const fmtCompact = (n: number | null | undefined) => (n == null ? "–" : compact.format(n));
export const fmtPct = (x: number | null | undefined) => (x == null ? "–" : `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`);

/** "850 ms", "2.35 s", "12.4 s", "2m 0s", "1h 5m": rounded once, so 119,600 ms is "2m 0s", never "1m 60s". */
export function fmtMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "–";
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  if (ms < 9_995) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** "$1,234.57", "$0.0042", "$0"; "–" when there is no cost at all (null). */
export function fmtCost(usd: number | null | undefined): string {
  if (usd == null || !Number.isFinite(usd)) return "–";
  if (usd === 0) return "$0";
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd2.format(usd)}`;
}

export function fmtTime(d: Date | number | string): string {
  const date = new Date(d);
  return date.toLocaleString("en-GB", { dateStyle: "short", timeStyle: "medium" });
}

export const PROVIDER_COLORS: Record<string, string> = {
  "claude-code": "#f97316",
  ollama: "#38bdf8",
};
export const colorOf = (provider: string) => PROVIDER_COLORS[provider] ?? "#a3a3a3";
