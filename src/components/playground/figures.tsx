import { fmtCost, fmtInt, fmtMs } from "../format";
import { tokensPerSecond } from "./rate";
import type { StreamResult } from "./stream";

/** The per-reply figures: time to first token, duration, tokens, tokens/s, cost. */
/** `costLabel`: "API-equivalent cost" for Claude on a plan login (what the API would charge). */
export function Figures({
  r,
  costUsd,
  costLabel = "cost",
}: {
  r: StreamResult;
  costUsd: number | null | undefined;
  costLabel?: string;
}) {
  const tps = tokensPerSecond(r);
  const items: [string, string][] = [
    ["first token", fmtMs(r.ttftMs)],
    ["duration", fmtMs(r.durationMs)],
    ["tokens", r.promptTokens == null ? "–" : `${fmtInt(r.promptTokens)} → ${fmtInt(r.completionTokens)}`],
    ["tok/s", tps == null ? "–" : tps.toFixed(1)],
    ["cost", fmtCost(costUsd)],
  ];
  return (
    <dl className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-400" data-testid="figures">
      {items.map(([k, v]) => (
        <div key={k} className="flex gap-1">
          <dt>{k === "cost" ? costLabel : k}</dt>
          <dd className="tabular-nums text-zinc-200" data-testid={`fig-${k.replace(/\W/g, "")}`}>
            {v}
          </dd>
        </div>
      ))}
      {r.cancelled && <div className="text-amber-400">stopped</div>}
    </dl>
  );
}
