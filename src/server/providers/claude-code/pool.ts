import "server-only";
import { adminGrant } from "../../access/agent";
import { env } from "../../env";
import { noteClaudeProcessWait } from "../../metrics/sources";
import { ApiError } from "../../openai/errors";
import { Demand } from "./demand";
import type { LiveProcess } from "./live";
import { plan } from "./pool-schedule";
import { type ClaudeProcessStats, processStats } from "./pool-stats";
import type { Want } from "./reuse";
import { Spares } from "./spares";
import { closePaused } from "./tool-loop";
import { type Placement, placementFor } from "./workspace";

export interface Waiter {
  want: Want;
  at: number;
  signal: AbortSignal;
  /** It found no process at once: its wait is counted. */
  queued: boolean;
  done(proc: LiveProcess | null, error?: unknown): void;
}

const TICK_MS = 50;
const IDLE_TICK_MS = 1_000;

/**
 * The live `claude` processes of this gateway, all bounded by CLAUDE_MAX_PROCESSES:
 * - warm: after a successful session turn its process stays, idle, for the session's next turn
 *   (at most CLAUDE_WARM_SESSIONS, least recently used evicted; ended after CLAUDE_WARM_IDLE_MS);
 * - reusable: after a stateless turn its process is cleared (`/clear`) and kept for the same caller
 *   and configuration (reuse.ts says when it may be), ended after CLAUDE_WARM_IDLE_MS idle;
 * - spares: started ahead (the SDK's prewarm), as many as the recent demand calls for (demand.ts),
 *   between CLAUDE_SPARES and CLAUDE_SPARES_MAX ready processes, once the CPU is free of our own
 *   start-ups and first turns;
 * - running: serving a turn now (their number is capped by the limiter, not here).
 * A request that finds no ready process waits in one first-come-first-served queue for whichever
 * comes first: a busy or being-cleared process of its own, a spare being started, or a new process,
 * started only while fewer than CLAUDE_MAX_STARTING are starting (pool-schedule.ts).
 * Everything is ended on shutdown; the spawn's group kill and parent-death signal cover the rest.
 */
export class ClaudePool {
  readonly warm = new Map<string, { proc: LiveProcess; timer: ReturnType<typeof setTimeout> }>();
  /** Reusable processes, least recently used first, with their idle timers. */
  readonly ready: Array<{ proc: LiveProcess; since: number; timer: ReturnType<typeof setTimeout> }> = [];
  readonly clearing = new Map<LiveProcess, number>();
  readonly running = new Set<LiveProcess>();
  /** New processes handed to a request, until their first answer (their start-up is CPU-bound). */
  readonly starting = new Map<LiveProcess, number>();
  /** Every live process by a token, until it has exited. */
  readonly live = new Set<object>();
  readonly waiters: Waiter[] = [];
  readonly demand = new Demand(60_000);
  /** Ready processes the demand called for at the last look (pool-schedule.ts). */
  target = 0;
  /** Idle processes this pool is ending to make room under CLAUDE_MAX_PROCESSES. */
  readonly evicting = new Set<LiveProcess>();
  readonly spares: Spares;
  /** When each request began to hold a ready process (for the demand's hold time). */
  private readonly held = new WeakMap<LiveProcess, number>();
  readonly waitStats = { total: 0, totalMs: 0, maxMs: 0 };
  /** The placement of the latest request a spare could serve (spares are started for it); null: the admin's. */
  private latestPlace: Placement | null = null;
  private tick: ReturnType<typeof setInterval> | undefined;
  private tickPeriod = 0;
  private scheduling = false;
  private again = false;
  stopped = false;

  constructor(private readonly plan: (pool: ClaudePool, now: number) => void) {
    const pool = this;
    this.spares = new Spares({
      register: (token, gone) => this.register(token, gone),
      changed: () => this.schedule(),
      started: (ms) => this.demand.spareStart.add(ms),
      get stopped() {
        return pool.stopped;
      },
    });
  }

  register(token: object, gone: Promise<unknown>): void {
    this.live.add(token);
    void gone.then(() => {
      this.live.delete(token);
      this.schedule();
    });
  }

  /** The idle process of a session, taken out of the pool (the caller runs the turn). */
  takeWarm(sessionId: string): LiveProcess | null {
    const entry = this.warm.get(sessionId);
    if (!entry) return null;
    this.warm.delete(sessionId);
    clearTimeout(entry.timer);
    return entry.proc.alive ? entry.proc : null;
  }

  /** Keeps a session's process after a successful turn, within the bounds. */
  park(sessionId: string, proc: LiveProcess): void {
    const { CLAUDE_WARM_SESSIONS: max, CLAUDE_WARM_IDLE_MS: idleMs } = env();
    this.running.delete(proc);
    this.noteFirstAnswer(proc);
    this.letGo(proc, false);
    this.dropWarm(sessionId);
    if (this.stopped || max === 0 || !proc.alive) {
      void proc.close();
      return;
    }
    const timer = setTimeout(() => this.dropWarm(sessionId, proc), idleMs);
    timer.unref?.();
    this.warm.set(sessionId, { proc, timer });
    void proc.exited.then(() => this.dropWarm(sessionId, proc));
    // Map order is insertion order: the first entries are the least recently used.
    for (const [id] of this.warm) {
      if (this.warm.size <= max) break;
      this.dropWarm(id);
    }
    this.schedule();
  }

  /** Ends a session's idle process (evicted, expired, or no longer wanted). */
  dropWarm(sessionId: string, only?: LiveProcess): void {
    const entry = this.warm.get(sessionId);
    if (!entry || (only && entry.proc !== only)) return;
    this.warm.delete(sessionId);
    clearTimeout(entry.timer);
    void entry.proc.close();
  }

  /**
   * A process for a request: a ready one at once, else the first that comes (see the class comment).
   * Rejects when the signal aborts, and on shutdown.
   */
  acquire(want: Want, signal: AbortSignal): Promise<LiveProcess> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.stopped) return Promise.reject(shuttingDown());
    if (want.reuseOk) this.demand.arrive(Date.now());
    if (want.spareOk) this.latestPlace = want.config.place;
    return new Promise<LiveProcess>((resolve, reject) => {
      const w: Waiter = {
        want,
        at: Date.now(),
        signal,
        queued: false,
        done: (proc, error) => {
          signal.removeEventListener("abort", onAbort);
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          if (w.queued) this.noteWait(Date.now() - w.at);
          if (proc) {
            if (want.reuseOk) this.held.set(proc, Date.now());
            resolve(proc);
          } else {
            if (want.reuseOk) this.demand.release(Date.now(), null);
            reject(error);
          }
        },
      };
      const onAbort = () => w.done(null, signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(w);
      this.schedule();
      if (this.waiters.includes(w)) w.queued = true;
    });
  }

  private noteWait(ms: number): void {
    this.waitStats.total++;
    this.waitStats.totalMs += ms;
    this.waitStats.maxMs = Math.max(this.waitStats.maxMs, ms);
    noteClaudeProcessWait(ms / 1_000);
  }

  /** A waiter gets this process (taken from wherever it was). */
  handOver(w: Waiter, proc: LiveProcess, as: NonNullable<LiveProcess["servedAs"]>): void {
    proc.servedAs = as;
    proc.owner = w.want.caller;
    proc.reuseKey = w.want.stateless ? w.want.key : null;
    this.track(proc);
    w.done(proc);
  }

  /** Starts a new process for a waiter; counted as starting until its first answer. */
  startFor(w: Waiter): void {
    let proc: LiveProcess;
    try {
      proc = w.want.make();
    } catch (e) {
      w.done(null, e);
      return;
    }
    const at = Date.now();
    this.register(proc, proc.exited);
    this.starting.set(proc, at);
    void proc.firstAnswer.then(() => {
      if (this.starting.delete(proc) && proc.alive) this.demand.start.add(Date.now() - at);
      this.schedule();
    });
    this.handOver(w, proc, "cold");
  }

  /** Counts a process as running (for /health and metrics) until it is parked or released. */
  track(proc: LiveProcess): void {
    if (this.running.has(proc)) return;
    this.running.add(proc);
    void proc.exited.then(() => this.running.delete(proc));
  }

  /** No longer running a turn, but not ended either (a turn paused for the client's tool results). */
  untrack(proc: LiveProcess): void {
    this.running.delete(proc);
    this.schedule();
  }

  /** The request is done with its process, which is ended. */
  release(proc: LiveProcess): void {
    this.running.delete(proc);
    this.letGo(proc, false);
    if (proc.alive) void proc.close();
    this.schedule();
  }

  /** A turn that went well: how soon its first answer came on the kind of process it was handed. */
  noteFirstAnswer(proc: LiveProcess): void {
    const as = proc.servedAs;
    proc.servedAs = null;
    if (as && as !== "cold" && proc.firstAnswerMs !== null) this.demand.firstAnswer[as].add(proc.firstAnswerMs);
  }

  /** For the demand's hold time: the request no longer holds the process (it came back, or not). */
  letGo(proc: LiveProcess, back: boolean): void {
    const since = this.held.get(proc);
    if (since === undefined) return;
    this.held.delete(proc);
    this.demand.release(Date.now(), back ? Date.now() - since : null);
  }

  /** Runs the queue and the spares' plan (pool-schedule.ts); again on a short tick while anything waits. */
  schedule(): void {
    if (this.scheduling) {
      this.again = true;
      return;
    }
    this.scheduling = true;
    try {
      do {
        this.again = false;
        this.plan(this, Date.now());
      } while (this.again);
    } finally {
      this.scheduling = false;
    }
    // Look again soon while anything waits or starts; now and then while spares past CLAUDE_SPARES may expire.
    const busy = this.waiters.length > 0 || this.starting.size > 0 || this.spares.starting.size > 0;
    const min = env().CLAUDE_SPARES;
    const extra = this.spares.count > min || this.target > min;
    const period = this.stopped ? 0 : busy ? TICK_MS : extra ? IDLE_TICK_MS : 0;
    if (period !== this.tickPeriod) {
      clearInterval(this.tick);
      this.tick = period ? setInterval(() => this.schedule(), period) : undefined;
      this.tick?.unref?.();
      this.tickPeriod = period;
    }
  }

  /**
   * The placement spares are started for: that of the latest request a spare could serve, else the
   * admin's (the single-user set-up); null when it cannot be had (the sandbox it needs is missing).
   */
  sparePlace(): Placement | null {
    if (this.latestPlace) return this.latestPlace;
    try {
      return placementFor(adminGrant());
    } catch {
      return null;
    }
  }

  stats(): ClaudeProcessStats {
    return processStats(this);
  }

  /** Ends every process and starts no more (SIGTERM/SIGINT); waiting requests get 503. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tick);
    for (const w of [...this.waiters]) w.done(null, shuttingDown());
    for (const id of [...this.warm.keys()]) this.dropWarm(id);
    const ready = this.ready.splice(0);
    for (const r of ready) clearTimeout(r.timer);
    await Promise.all([
      this.spares.shutdown(),
      ...ready.map((r) => r.proc.close()),
      ...[...this.clearing.keys(), ...this.running, ...this.starting.keys()].map((p) => p.close()),
      closePaused(),
    ]);
  }
}

const shuttingDown = () =>
  new ApiError(503, "The gateway is shutting down; retry shortly.", {
    code: "gateway_shutdown",
    headers: { "retry-after": "5" },
  });

const g = globalThis as unknown as { __ccBridgeClaudePool?: ClaudePool };

/** The process-wide pool (on globalThis: Next.js may load this module in more than one bundle). */
export function claudePool(): ClaudePool {
  if (!g.__ccBridgeClaudePool) {
    const pool = new ClaudePool((p, now) => plan(p, now, env()));
    g.__ccBridgeClaudePool = pool;
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => void pool.shutdown());
    pool.schedule();
  }
  return g.__ccBridgeClaudePool;
}

/** For /health and /metrics: live processes by state and their memory. */
export const claudeProcessStats = (): ClaudeProcessStats => claudePool().stats();

export type { ClaudeProcessStats } from "./pool-stats";
