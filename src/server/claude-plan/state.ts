import "server-only";
import { log } from "../log";
import { loginOfSource, type PlanState, type PlanWindow, windowsOfEvent } from "./info";
import { loadPlan, savePlanKind, saveWindows } from "./store";

/**
 * THE CLAUDE PLAN'S STATE, as the gateway's `claude` processes report it (live.ts hands every
 * `rate_limit_event` and `system`/`init` message here). Kept in the database (ClaudePlan), so a
 * restart keeps it and instances sharing a PostgreSQL database share it; each instance reads it
 * through a cache of at most CACHE_MS. Writes are queued one after another, off the turn's path
 * (a failed write is logged, never the turn's failure). A window whose status changes gets one
 * JSON log line (`msg: "claude plan status"`).
 */

const CACHE_MS = 1_000;

interface Held {
  state: PlanState | null;
  loadedAt: number;
  loading: Promise<PlanState> | null;
  writes: Promise<void>;
  /** Guard refusals by window (this instance), for /metrics. */
  refusals: Map<string, number>;
}

// On globalThis: the processes (providers) and the front door may sit in different route bundles.
const g = globalThis as unknown as { __ccBridgePlan?: Held };
const held = (): Held => {
  g.__ccBridgePlan ??= { state: null, loadedAt: 0, loading: null, writes: Promise.resolve(), refusals: new Map() };
  return g.__ccBridgePlan;
};

/**
 * The plan's state, read from the database at most every CACHE_MS (`maxAgeMs`). When the database
 * cannot be read, the last state this instance had (logged); throws only when it never had one.
 */
export async function planState(maxAgeMs = CACHE_MS): Promise<PlanState> {
  const h = held();
  if (h.state && Date.now() - h.loadedAt <= maxAgeMs) return h.state;
  h.loading ??= loadPlan()
    .then((state) => {
      h.state = state;
      h.loadedAt = Date.now();
      return state;
    })
    .catch((e) => {
      if (!h.state) throw e;
      log({ level: "warn", msg: "claude plan state not read", error: String(e).slice(0, 300) });
      return h.state;
    })
    .finally(() => {
      h.loading = null;
    });
  return h.loading;
}

function queue(what: string, write: () => Promise<void>): void {
  const h = held();
  h.writes = h.writes
    .then(write)
    .catch((e) => log({ level: "warn", msg: "claude plan state not saved", what, error: String(e).slice(0, 300) }));
}

/** Settles when the writes queued so far are done (tests, shutdown). */
export const planWritesDone = (): Promise<void> => held().writes;

function logChange(w: PlanWindow, before: PlanWindow | undefined): void {
  if (before?.status === w.status) return;
  const alarming = w.status === "rejected" || w.usingOverage;
  log({
    level: alarming ? "warn" : "info",
    msg: "claude plan status",
    window: w.window,
    status: w.status,
    previous: before?.status ?? null,
    utilization: w.utilization,
    resets_at: w.resetsAt?.toISOString() ?? null,
    overage_status: w.overageStatus,
    overage_disabled_reason: w.overageDisabledReason,
    using_overage: w.usingOverage,
  });
}

/** A `rate_limit_event`'s `rate_limit_info`: the windows it reports are saved (and the plan is a subscription). */
export function notePlanEvent(info: unknown): void {
  const windows = windowsOfEvent(info, new Date());
  if (windows.length === 0) return;
  queue("rate_limit_event", async () => {
    const before = await planState();
    for (const w of windows)
      logChange(
        w,
        before.windows.find((b) => b.window === w.window),
      );
    await saveWindows(windows);
    if (before.plan !== "subscription") await savePlanKind("subscription", windows[0]?.observedAt ?? new Date());
    const kept = before.windows.filter((b) => !windows.some((w) => w.window === b.window));
    const h = held();
    h.state = { plan: "subscription", windows: [...kept, ...windows] };
    h.loadedAt = Date.now();
  });
}

/**
 * A process's `apiKeySource` (its `system`/`init` message, every turn): an API key makes the plan
 * `api_key`; another login after an API key makes it `unknown` until a rate_limit_event says more.
 * Written only when it changes what is known.
 */
export function noteLoginSource(source: unknown): void {
  const apiKey = loginOfSource(source) === "api_key";
  const known = held().state?.plan;
  if (known !== undefined && (apiKey ? known === "api_key" : known !== "api_key")) return;
  queue("login", async () => {
    const before = await planState(Number.POSITIVE_INFINITY);
    const plan = apiKey ? "api_key" : before.plan === "api_key" ? "unknown" : null;
    if (plan === null || plan === before.plan) return;
    await savePlanKind(plan, new Date());
    const h = held();
    h.state = { ...before, plan };
    h.loadedAt = Date.now();
  });
}

/** Counts a guard refusal of this instance (ccbridge_claude_plan_refusals_total). */
export function noteRefusal(window: string): void {
  const r = held().refusals;
  r.set(window, (r.get(window) ?? 0) + 1);
}

export const refusalCounts = (): ReadonlyMap<string, number> => held().refusals;
