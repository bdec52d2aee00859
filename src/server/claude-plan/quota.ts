/** The plan's state as `GET /v1/usage/quota` (and the console's card) shows it. Pure. */
import type { PlanGuard } from "../env-schema";
import { isCurrent, type PlanKind, type PlanState, type PlanWindow, windowLabel } from "./info";

export interface QuotaWindow {
  /** The window's name for people: "5-hour", "7-day", "7-day Opus"… */
  label: string;
  /** 0–1; null when Claude Code did not report it. */
  utilization: number | null;
  /** ISO 8601. */
  resets_at: string | null;
  /** `allowed`, `allowed_warning` or `rejected`. */
  status: string;
  overage_status: string | null;
  overage_disabled_reason: string | null;
  overage_resets_at: string | null;
  using_overage: boolean;
  observed_at: string;
  /** False once `resets_at` has passed: the window has started again since this was observed. */
  current: boolean;
}

export interface Quota {
  object: "claude.plan";
  plan: PlanKind;
  /** The latest observation of any window; null when none was ever seen. */
  observed_at: string | null;
  /** The plan-wide overage fields, from the latest observation. */
  overage: { status: string | null; disabled_reason: string | null; resets_at: string | null; in_use: boolean };
  /** CLAUDE_PLAN_GUARD: `off`, `no-overage`, or `threshold` (that too, at `threshold` of any window). */
  guard: { mode: "off" | "no-overage" | "threshold"; threshold: number | null };
  /** By window name: `five_hour`, `seven_day`, `seven_day_opus`, `seven_day_sonnet`, … */
  windows: Record<string, QuotaWindow>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function windowOf(w: PlanWindow, now: number): QuotaWindow {
  return {
    label: windowLabel(w.window),
    utilization: w.utilization,
    resets_at: iso(w.resetsAt),
    status: w.status,
    overage_status: w.overageStatus,
    overage_disabled_reason: w.overageDisabledReason,
    overage_resets_at: iso(w.overageResetsAt),
    using_overage: w.usingOverage,
    observed_at: w.observedAt.toISOString(),
    current: isCurrent(w, now),
  };
}

const ORDER = ["five_hour", "seven_day", "seven_day_opus", "seven_day_sonnet", "seven_day_overage_included", "overage"];
const rank = (w: string) => (ORDER.includes(w) ? ORDER.indexOf(w) : ORDER.length);

export function quotaOf(state: PlanState, guard: PlanGuard, now: number): Quota {
  // An API-key login has no plan windows: what a former plan login left is not shown.
  const windows = state.plan === "api_key" ? [] : [...state.windows];
  windows.sort((a, b) => rank(a.window) - rank(b.window) || a.window.localeCompare(b.window));
  const latest = windows.reduce<PlanWindow | null>((a, w) => (!a || w.observedAt > a.observedAt ? w : a), null);
  return {
    object: "claude.plan",
    plan: state.plan,
    observed_at: iso(latest?.observedAt ?? null),
    overage: {
      status: latest?.overageStatus ?? null,
      disabled_reason: latest?.overageDisabledReason ?? null,
      resets_at: iso(latest?.overageResetsAt ?? null),
      in_use: windows.some((w) => w.usingOverage && isCurrent(w, now)),
    },
    guard: typeof guard === "number" ? { mode: "threshold", threshold: guard } : { mode: guard, threshold: null },
    windows: Object.fromEntries(windows.map((w) => [w.window, windowOf(w, now)])),
  };
}
