import type { RouterOutputs } from "@/trpc/types";
import { fmtCompact, fmtCost, fmtInt, fmtMs, fmtPct } from "../format";

type Summary = RouterOutputs["usage"]["summary"];

function Card({ label, value, hint, testId }: { label: string; value: string | null; hint?: string; testId: string }) {
  return (
    <div
      className="rounded-lg border border-zinc-800 bg-zinc-900/60 p-4"
      data-testid={testId}
      aria-busy={value == null}
    >
      <div className="text-xs uppercase tracking-wide text-zinc-400">{label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`${testId}-value`}>
        {value ?? (
          <span className="inline-block h-7 w-16 animate-pulse rounded bg-zinc-800 align-middle">
            <span className="sr-only">Loading…</span>
          </span>
        )}
      </div>
      {hint && <div className="mt-1 text-xs text-zinc-500">{hint}</div>}
    </div>
  );
}

/** `costLabel`: "API-equivalent cost" for a plan login (Claude's cost is then what the API would charge). */
export function SummaryCards({ s, costLabel = "Cost" }: { s: Summary | undefined; costLabel?: string }) {
  // Until the first answer every value is a skeleton, never a "–" or "0" that looks like data.
  const v = (f: (s: Summary) => string) => (s ? f(s) : null);
  return (
    <section aria-label="Summary" className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7">
      <Card testId="card-requests" label="Requests" value={v((s) => fmtInt(s.requests))} />
      <Card
        testId="card-errors"
        label="Error rate"
        value={v((s) => fmtPct(s.errorRate))}
        hint={s ? `${fmtInt(s.errors)} errors` : undefined}
      />
      <Card
        testId="card-tokens"
        label="Tokens"
        value={v((s) => fmtCompact(s.totalTokens))}
        hint={s ? `${fmtCompact(s.promptTokens)} in · ${fmtCompact(s.completionTokens)} out` : undefined}
      />
      <Card
        testId="card-cost"
        label={costLabel}
        value={v((s) => fmtCost(s.costUsd))}
        hint={s && s.costUsd == null ? "no request with a cost" : undefined}
      />
      <Card testId="card-p50" label="p50 latency" value={v((s) => fmtMs(s.p50LatencyMs))} />
      <Card testId="card-p95" label="p95 latency" value={v((s) => fmtMs(s.p95LatencyMs))} />
      <Card testId="card-ttft" label="p50 first token" value={v((s) => fmtMs(s.p50TtftMs))} />
    </section>
  );
}
