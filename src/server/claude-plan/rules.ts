/**
 * What CLAUDE_PLAN_GUARD refuses, from the plan's last state (pure: the state and the time are given).
 *
 * - `off`: nothing.
 * - `no-overage`: a window whose last state says it is used up (`rejected`), or that turns ran on paid
 *   overage because of it: the next turn would be refused by the plan or billed as overage.
 * - a number t (0 < t ≤ 1): that, and any window at or above utilization t.
 *
 * Only a window's current state counts: once its reset time has passed, what was observed before says
 * nothing about the new window (and a window with no reset time is never used to refuse). An API-key
 * login has no plan windows: nothing is refused for it, nor for a plan with no state yet.
 */
import type { PlanGuard } from "../env-schema";
import { isCurrent, type PlanState, type PlanWindow, windowLabel } from "./info";

export interface Refusal {
  window: string;
  reason: "exhausted" | "overage" | "threshold";
  utilization: number | null;
  resetsAt: Date;
  /** Seconds until the window resets (at least 1): the Retry-After. */
  retryAfter: number;
}

function reasonOf(w: PlanWindow, guard: PlanGuard): Refusal["reason"] | null {
  if (w.status === "rejected") return "exhausted";
  if (w.usingOverage) return "overage";
  if (typeof guard === "number" && w.utilization !== null && w.utilization >= guard) return "threshold";
  return null;
}

/**
 * The refusal for a Claude turn now, or null. When several windows refuse, the one that resets last
 * is named (the turn can run only once they all have).
 */
export function refusalOf(state: PlanState, guard: PlanGuard, now: number): Refusal | null {
  if (guard === "off" || state.plan === "api_key") return null;
  let found: Refusal | null = null;
  for (const w of state.windows) {
    if (!isCurrent(w, now) || !w.resetsAt) continue;
    const reason = reasonOf(w, guard);
    if (!reason || (found && found.resetsAt >= w.resetsAt)) continue;
    const retryAfter = Math.max(1, Math.ceil((w.resetsAt.getTime() - now) / 1000));
    found = { window: w.window, reason, utilization: w.utilization, resetsAt: w.resetsAt, retryAfter };
  }
  return found;
}

const pct = (u: number | null) => (u === null ? "" : ` (${Math.round(u * 100)}% used)`);

/** The refusal's message: which window, why, when it resets, and the setting that refused. */
export function refusalMessage(r: Refusal, guard: PlanGuard): string {
  const name = `The Claude plan's ${windowLabel(r.window)} window (${r.window})`;
  const resets = `it resets at ${r.resetsAt.toISOString()}, in ${r.retryAfter} s`;
  if (r.reason === "threshold" && typeof guard === "number") {
    return `${name} is at ${Math.round((r.utilization ?? 0) * 100)}%, at or above this gateway's limit of ${Math.round(guard * 100)}% (CLAUDE_PLAN_GUARD=${guard}); ${resets}.`;
  }
  const what = r.reason === "overage" ? "is used up and turns would run on paid overage" : "is used up";
  const setting = `CLAUDE_PLAN_GUARD=${guard}`;
  return `${name}${pct(r.utilization)} ${what}; this gateway refuses rather than spill into overage (${setting}); ${resets}.`;
}
