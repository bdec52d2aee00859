/**
 * The Claude plan's state, from Claude Code's `rate_limit_event` messages (the Agent SDK's
 * SDKRateLimitEvent). With an OAuth login (a Pro, Max or Team plan) every API answer carries
 * `anthropic-ratelimit-unified-*` headers; the CLI turns them into an event when they change:
 *
 *   {type: "rate_limit_event", rate_limit_info: {status, resetsAt, rateLimitType, utilization?,
 *    overageStatus, overageResetsAt, overageDisabledReason, isUsingOverage,
 *    unifiedWindows: {five_hour: {utilization, resetsAt, status?}, seven_day: {…}, …}}}
 *
 * Times are Unix seconds. `rateLimitType` names the window that binds now (the API's "representative
 * claim": `five_hour`, `seven_day`, `seven_day_opus`, `seven_day_sonnet`, `overage`…); `status` is its.
 * With an API key no such event comes. Pure: no database, no clock of its own.
 */

export type PlanKind = "subscription" | "api_key" | "unknown";

/** The latest state of one usage window. */
export interface PlanWindow {
  window: string;
  /** `allowed`, `allowed_warning` or `rejected`. */
  status: string;
  /** 0–1, when reported. */
  utilization: number | null;
  resetsAt: Date | null;
  overageStatus: string | null;
  overageDisabledReason: string | null;
  overageResetsAt: Date | null;
  /** Turns ran on paid overage because this window was used up. */
  usingOverage: boolean;
  observedAt: Date;
}

export interface PlanState {
  /** How Claude Code logs in, as last seen (see planKindOf). */
  plan: PlanKind;
  windows: PlanWindow[];
}

/** The `plan` row's key in the ClaudePlan table (the login); every other row is a window. */
export const PLAN_ROW = "plan";

const WINDOW_NAME = /^[a-z0-9_]{1,64}$/;
const STATUSES = new Set(["allowed", "allowed_warning", "rejected"]);
const RANK: Record<string, number> = { allowed: 0, allowed_warning: 1, rejected: 2 };

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v.slice(0, 100) : null);
const status = (v: unknown): string | null => (typeof v === "string" && STATUSES.has(v) ? v : null);
/** Unix seconds → Date (a value in ms, should one come, is taken as ms). */
const time = (v: unknown): Date | null => {
  const n = num(v);
  if (n === null || n <= 0) return null;
  return new Date(n > 1e11 ? n : n * 1000);
};
const worse = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : (RANK[b] ?? 0) > (RANK[a] ?? 0) ? b : a;

type Info = Record<string, unknown>;

/**
 * The windows one event reports, each with the event's overage fields. A window's status is its own
 * (`unifiedWindows.*.status`), the event's for the binding window (the worse of the two), else
 * `rejected` at a utilization of 1 and `allowed` below. `usingOverage` marks the windows whose
 * exhaustion put turns on overage (the rejected ones; the binding one when none is).
 */
export function windowsOfEvent(info: unknown, observedAt: Date): PlanWindow[] {
  if (!info || typeof info !== "object") return [];
  const i = info as Info;
  const overage = {
    overageStatus: status(i.overageStatus),
    overageDisabledReason: text(i.overageDisabledReason),
    overageResetsAt: time(i.overageResetsAt),
  };
  const found = new Map<string, { status: string | null; utilization: number | null; resetsAt: Date | null }>();
  const unified = i.unifiedWindows && typeof i.unifiedWindows === "object" ? (i.unifiedWindows as Info) : {};
  for (const [name, raw] of Object.entries(unified)) {
    if (!WINDOW_NAME.test(name) || name === PLAN_ROW || !raw || typeof raw !== "object") continue;
    const w = raw as Info;
    found.set(name, { status: status(w.status), utilization: num(w.utilization), resetsAt: time(w.resetsAt) });
  }
  const binding = typeof i.rateLimitType === "string" && WINDOW_NAME.test(i.rateLimitType) ? i.rateLimitType : null;
  if (binding && binding !== PLAN_ROW) {
    const w = found.get(binding);
    found.set(binding, {
      status: worse(w?.status ?? null, status(i.status)),
      utilization: w?.utilization ?? num(i.utilization),
      resetsAt: w?.resetsAt ?? time(i.resetsAt),
    });
  }
  const usingOverage = i.isUsingOverage === true;
  const windows = [...found].map(([window, w]) => ({
    window,
    status: w.status ?? ((w.utilization ?? 0) >= 1 ? "rejected" : "allowed"),
    utilization: w.utilization,
    resetsAt: w.resetsAt,
    ...overage,
    usingOverage: false,
    observedAt,
  }));
  if (usingOverage) {
    const exhausted = windows.filter((w) => w.status === "rejected");
    for (const w of exhausted.length ? exhausted : windows.filter((w) => w.window === binding)) w.usingOverage = true;
  }
  return windows;
}

const API_KEY_SOURCES = new Set([
  "ANTHROPIC_API_KEY",
  "apiKeyHelper",
  "/login managed key",
  "user",
  "project",
  "org",
  "temporary",
]);

/**
 * What a process's `system`/`init` message (`apiKeySource`) says about the login: `api_key` (an API
 * key: no plan windows), or null (`none`, `oauth`: a plan's OAuth login or a bearer token; the
 * rate_limit_event, or its absence, tells which).
 */
export const loginOfSource = (source: unknown): "api_key" | null =>
  typeof source === "string" && API_KEY_SOURCES.has(source) ? "api_key" : null;

/** The plan from the `plan` row (the last login seen) and the windows kept. */
export function planKindOf(row: string | null, windows: PlanWindow[]): PlanKind {
  if (row === "subscription" || row === "api_key" || row === "unknown") return row;
  return windows.length > 0 ? "subscription" : "unknown";
}

/** Whether a window's state still describes the window now: its reset has not come yet. */
export const isCurrent = (w: PlanWindow, now: number): boolean => w.resetsAt !== null && w.resetsAt.getTime() > now;

const LABELS: Record<string, string> = {
  five_hour: "5-hour",
  seven_day: "7-day",
  seven_day_opus: "7-day Opus",
  seven_day_sonnet: "7-day Sonnet",
  seven_day_overage_included: "7-day (overage included)",
  overage: "overage",
};

/** A window's name for people: `five_hour` → "5-hour". */
export const windowLabel = (window: string): string => LABELS[window] ?? window.replaceAll("_", " ");
