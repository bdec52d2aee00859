"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { fmtTime } from "../format";

type Quota = RouterOutputs["plan"]["quota"];
type Window = Quota["windows"][string];

/** The plan's quota (GET /v1/usage/quota), shared by the card and the cost labels. */
export function usePlanQuota(live = true) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.plan.quota.queryOptions(), refetchInterval: live ? 30_000 : false });
}

/** "API-equivalent cost" for a subscription login (what the same use would cost at API prices), else "Cost". */
export function useCostLabel(): string {
  return usePlanQuota(false).data?.plan === "subscription" ? "API-equivalent cost" : "Cost";
}

/** "4d 3h", "2h 13m", "45m", "30s". */
export function fmtCountdown(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

const barColor = (w: Window) =>
  w.status === "rejected" || w.using_overage
    ? "bg-red-500"
    : w.status === "allowed_warning" || (w.utilization ?? 0) >= 0.8
      ? "bg-amber-500"
      : "bg-emerald-500";

function WindowRow({ name, w, now }: { name: string; w: Window; now: number }) {
  const resets = w.resets_at ? new Date(w.resets_at).getTime() : null;
  const current = resets !== null && resets > now;
  const share = Math.min(1, Math.max(0, w.utilization ?? 0));
  const pct = w.utilization === null ? "–" : `${Math.round(w.utilization * 100)}%`;
  return (
    <li className="flex flex-col gap-1" data-testid={`plan-window-${name}`}>
      <div className="flex flex-wrap items-baseline gap-x-2 text-sm">
        <span className="font-medium text-zinc-200">{w.label}</span>
        <span className={`tabular-nums ${current ? "text-zinc-100" : "text-zinc-500"}`} data-testid="plan-pct">
          {pct}
        </span>
        {w.status !== "allowed" && (
          <span className={`text-xs ${w.status === "rejected" ? "text-red-400" : "text-amber-400"}`}>
            {w.status === "rejected" ? "used up" : "nearing the limit"}
          </span>
        )}
        {w.using_overage && <span className="text-xs text-red-400">on overage</span>}
        <span className="ml-auto text-xs text-zinc-500 tabular-nums" data-testid="plan-reset">
          {resets === null
            ? "reset time unknown"
            : current
              ? `resets in ${fmtCountdown(resets - now)}`
              : `reset ${fmtTime(resets)}; not seen since`}
        </span>
      </div>
      {/* The percentage above says it in text; the bar is only its picture. */}
      <div className="h-2 w-full rounded bg-zinc-800" aria-hidden="true">
        <div className={`h-2 rounded ${current ? barColor(w) : "bg-zinc-600"}`} style={{ width: `${share * 100}%` }} />
      </div>
    </li>
  );
}

function Overage({ q }: { q: Quota }) {
  const o = q.overage;
  if (!o.status && !o.in_use) return null;
  const text = o.in_use
    ? "in use: turns are billed as extra usage"
    : o.status === "rejected"
      ? `off${o.disabled_reason ? ` (${o.disabled_reason.replaceAll("_", " ")})` : ""}`
      : o.status === "allowed_warning"
        ? "allowed, nearing its limit"
        : "allowed when the plan runs out";
  return (
    <p className="text-sm text-zinc-400" data-testid="plan-overage">
      <span className="text-zinc-500">Overage: </span>
      <span className={o.in_use ? "text-red-400" : "text-zinc-200"}>{text}</span>
    </p>
  );
}

const GUARD: Record<Quota["guard"]["mode"], string> = {
  off: "Guard off: turns run whatever the plan says",
  "no-overage": "Guard: refuses turns when the plan is used up (no overage)",
  threshold: "Guard: refuses at",
};

function guardText(g: Quota["guard"]): string {
  return g.mode === "threshold"
    ? `${GUARD.threshold} ${Math.round((g.threshold ?? 1) * 100)}% of any window`
    : GUARD[g.mode];
}

/** The "Claude plan" card: one bar per window with its reset countdown, the overage status, the guard. */
export function ClaudePlan({ live }: { live: boolean }) {
  const q = usePlanQuota(live);
  const now = useNow(30_000);
  const data = q.data;
  const names = data ? Object.keys(data.windows) : [];
  return (
    <section
      aria-label="Claude plan"
      className="rounded-lg border border-zinc-800 bg-zinc-900/60 p-4"
      data-testid="claude-plan"
    >
      <div className="mb-3 flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h2 className="text-sm font-medium text-zinc-300">Claude plan</h2>
        {data && (
          <span className="text-xs text-zinc-500" data-testid="plan-kind">
            {data.plan === "subscription" ? "subscription" : data.plan === "api_key" ? "API key" : "not known yet"}
            {data.observed_at ? ` · seen ${fmtTime(data.observed_at)}` : ""}
          </span>
        )}
      </div>
      {!data ? (
        <p className="text-sm text-zinc-500">{q.error ? q.error.message : "Loading…"}</p>
      ) : data.plan === "api_key" ? (
        <p className="text-sm text-zinc-400">
          Claude Code logs in with an API key: no plan windows; costs are what the API charges.
        </p>
      ) : names.length === 0 ? (
        <p className="text-sm text-zinc-400">
          No plan limits seen yet. Claude Code reports them after a turn with a plan&apos;s login (OAuth).
        </p>
      ) : (
        <div className="flex flex-col gap-3">
          <ul className="flex flex-col gap-3">
            {names.map((name) => (
              <WindowRow key={name} name={name} w={data.windows[name] as Window} now={now} />
            ))}
          </ul>
          <Overage q={data} />
          <p className="text-xs text-zinc-500" data-testid="plan-guard">
            {guardText(data.guard)}
          </p>
        </div>
      )}
    </section>
  );
}
