/** Display formatting shared by the console pages. */
const int = new Intl.NumberFormat("en-US");
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export const fmtInt = (n: number | null | undefined) => (n == null ? "–" : int.format(Math.round(n)));
export const fmtCompact = (n: number | null | undefined) => (n == null ? "–" : compact.format(n));
export const fmtPct = (x: number | null | undefined) => (x == null ? "–" : `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`);

export function fmtMs(ms: number | null | undefined): string {
  if (ms == null) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

export function fmtCost(usd: number | null | undefined): string {
  if (usd == null) return "–";
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
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
