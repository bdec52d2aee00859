import type { RouterOutputs } from "@/trpc/types";
import { fmtCost, fmtInt } from "../format";

type KeyView = RouterOutputs["keys"]["list"][number];

/** "used / limit" with a bar when there is a limit. */
function Meter({
  used,
  limit,
  fmt,
  label,
}: {
  used: number;
  limit: number | null;
  fmt: (n: number) => string;
  label: string;
}) {
  const share = limit ? Math.min(1, used / limit) : 0;
  return (
    <div className="flex flex-col gap-0.5" title={label}>
      <span className="whitespace-nowrap">
        {fmt(used)}
        {limit !== null && <span className="text-zinc-500"> / {fmt(limit)}</span>}
      </span>
      {limit !== null && (
        <span className="h-1 w-24 rounded bg-zinc-800" aria-hidden="true">
          <span
            className={`block h-1 rounded ${share >= 1 ? "bg-red-500" : share > 0.8 ? "bg-amber-500" : "bg-sky-500"}`}
            style={{ width: `${share * 100}%` }}
          />
        </span>
      )}
    </div>
  );
}

/** This budget period's usage of a key against its limits, and its lifetime spend when periods repeat. */
export function UsageCell({ k }: { k: KeyView }) {
  const u = k.usage;
  return (
    <div className="flex flex-col gap-1 text-xs tabular-nums">
      <span className="text-zinc-400">{fmtInt(u.requests)} requests</span>
      <Meter used={u.total_tokens} limit={k.max_budget_tokens} fmt={(n) => `${fmtInt(n)} tok`} label="tokens" />
      <Meter used={u.cost_usd} limit={k.max_budget_usd} fmt={(n) => fmtCost(n)} label="cost" />
      {k.budget_duration && (
        <span
          className="whitespace-nowrap text-zinc-500"
          title="spend since the key was created"
          data-testid="lifetime"
        >
          lifetime: {fmtInt(u.lifetime_requests)} req · {fmtInt(u.lifetime_total_tokens)} tok ·{" "}
          {fmtCost(u.lifetime_cost_usd)}
        </span>
      )}
    </div>
  );
}

export function LimitsCell({ k }: { k: KeyView }) {
  const parts = [
    k.rpm_limit !== null ? `${fmtInt(k.rpm_limit)} rpm` : null,
    k.tpm_limit !== null ? `${fmtInt(k.tpm_limit)} tpm` : null,
    k.budget_duration
      ? `budget per ${k.budget_duration}`
      : k.max_budget_tokens || k.max_budget_usd
        ? "budget for life"
        : null,
  ].filter(Boolean);
  return <span className="text-xs text-zinc-400">{parts.length ? parts.join(" · ") : "none"}</span>;
}
