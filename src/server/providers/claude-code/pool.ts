import "server-only";
import { prewarm, type SpareProcess, type SpawnedProcess } from "@anthropic-ai/claude-agent-sdk";
import { env } from "../../env";
import { log } from "../../log";
import { LiveProcess } from "./live";
import { hostOptions, processKey, type TurnConfig, workdir } from "./options";
import { endProcess, residentBytes, spawnClaude } from "./spawn";
import { closePaused, pausedProcesses } from "./tool-loop";

interface Spare {
  spare: SpareProcess;
  child: SpawnedProcess | undefined;
  /**
   * Claimed ahead for the default configuration (CLAUDE_WORKDIR, Claude Code's default model, no
   * system prompt, tools or output format): the claim's own start-up work is done before a request
   * comes, so its first token comes about twice as soon. Else parked, claimed by a request.
   */
  live?: LiveProcess;
  preclaim: boolean;
}

const REFILL_DELAY_MS = 1_000;

const DEFAULT_CONFIG: TurnConfig = { model: null, systemPrompt: null, tools: [], outputSchema: null };

/** The configuration a pre-claimed spare serves. */
const isDefault = (c: TurnConfig) => !c.model && !c.systemPrompt && !c.tools.length && !c.outputSchema;

export interface ClaudeProcessStats {
  running: number;
  /** Turns paused while their clients run tools (see CLAUDE_TOOL_WAIT_MS). */
  waiting: number;
  idle: number;
  spare: number;
  /** Resident memory of every live process, by state, in bytes. */
  rssBytes: { running: number; waiting: number; idle: number; spare: number };
  /** Process ids by state (spares being started included). */
  pids: { running: number[]; idle: number[]; spare: number[] };
  limits: { warmSessions: number; warmIdleMs: number; spares: number };
}

/**
 * The live `claude` processes of this gateway:
 * - warm: after a successful session turn its process stays, idle, for the session's next turn
 *   (at most CLAUDE_WARM_SESSIONS, least recently used evicted; ended after CLAUDE_WARM_IDLE_MS);
 * - spares: CLAUDE_SPARES processes started ahead (the SDK's prewarm), each serving one stateless
 *   request or a session's first turn, then ended or kept as that session's warm process;
 * - running: processes serving a turn now (their number is capped by the limiter, not here).
 * Everything is ended on shutdown; the spawn's group kill and parent-death signal cover the rest.
 */
export class ClaudePool {
  private readonly warm = new Map<string, { proc: LiveProcess; timer: ReturnType<typeof setTimeout> }>();
  private readonly spares: Spare[] = [];
  /** Spares being started (their process may already run). */
  private readonly starting = new Set<Spare>();
  private readonly running = new Set<LiveProcess>();
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

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
   * A ready spare for a turn with this configuration, or null; starts a replacement. The default
   * configuration takes a pre-claimed spare; any other (that a spare can serve) a parked one.
   */
  claimSpare(config: TurnConfig): LiveProcess | null {
    const alive = (s: Spare) => s.child !== undefined && s.child.exitCode === null;
    for (const s of this.spares.filter((x) => !alive(x))) this.dropSpare(s);
    const pre = isDefault(config) ? this.spares.find((s) => s.live) : undefined;
    const spare = pre ?? this.spares.find((s) => !s.live);
    if (!spare) {
      this.refill();
      return null;
    }
    this.spares.splice(this.spares.indexOf(spare), 1);
    // The replacement starts a little later: a process start takes a core for about half a second,
    // which would slow the very turn the spare was kept for.
    setTimeout(() => this.refill(), REFILL_DELAY_MS).unref?.();
    if (spare.live) return spare.live;
    const { child } = spare;
    const live = new LiveProcess(
      processKey(config),
      (prompt, _spawn, _waits) =>
        spare.spare.claim({
          prompt,
          options: {
            cwd: workdir(),
            ...(config.model ? { model: config.model } : {}),
            ...(config.systemPrompt ? { appendSystemPrompt: config.systemPrompt } : {}),
          },
        }),
      config.model,
      "spare",
    );
    if (child) live.adopt(child);
    return live;
  }

  private dropSpare(s: Spare): void {
    const i = this.spares.indexOf(s);
    if (i >= 0) this.spares.splice(i, 1);
    if (s.live) void s.live.close();
    else s.spare?.close();
  }

  /** Counts a process as running (for /health and metrics) until it is parked or released. */
  track(proc: LiveProcess): void {
    this.running.add(proc);
    void proc.exited.then(() => this.running.delete(proc));
  }

  /** No longer running a turn, but not ended either (a turn paused for the client's tool results). */
  untrack(proc: LiveProcess): void {
    this.running.delete(proc);
  }

  release(proc: LiveProcess): void {
    this.running.delete(proc);
    if (proc.alive) void proc.close();
  }

  /** Starts spares until CLAUDE_SPARES are ready or starting; backs off after failures. */
  refill(): void {
    const want = env().CLAUDE_SPARES;
    if (this.stopped || this.retryTimer) return;
    while (this.spares.length + this.starting.size < want) {
      // One spare (ready or starting) is pre-claimed for the default configuration; the others park.
      const preclaim = ![...this.spares, ...this.starting].some((s) => s.preclaim);
      const entry: Spare = { spare: undefined as unknown as SpareProcess, child: undefined, preclaim };
      this.starting.add(entry);
      void this.startSpare(entry).finally(() => this.starting.delete(entry));
    }
  }

  private async startSpare(entry: Spare): Promise<void> {
    try {
      entry.spare = await prewarm({
        // Parked in CLAUDE_WORKDIR, the folder its claims name: its process never sits elsewhere.
        options: { ...hostOptions(), cwd: workdir(), spawnClaudeCodeProcess: (o) => (entry.child = spawnClaude(o)) },
      });
      if (entry.preclaim && !this.stopped) {
        const live = new LiveProcess(
          processKey(DEFAULT_CONFIG),
          (prompt) => entry.spare.claim({ prompt, options: { cwd: workdir() } }),
          null,
          "spare",
        );
        if (entry.child) live.adopt(entry.child);
        entry.live = live;
        await entry.spare.claimed;
      }
      if (this.stopped) {
        if (entry.live) await entry.live.close();
        entry.spare.close();
        await endProcess(entry.child);
        return;
      }
      this.failures = 0;
      this.spares.push(entry);
      void entry.spare.exited.then(() => {
        const i = this.spares.indexOf(entry);
        if (i >= 0) {
          this.spares.splice(i, 1);
          this.refill();
        }
      });
    } catch (e) {
      if (entry.live) await entry.live.close();
      await endProcess(entry.child);
      this.failures++;
      if (this.failures === 1 || this.failures % 10 === 0) {
        log({ level: "warn", msg: "claude spare did not start", error: String(e).slice(0, 300) }, "stderr");
      }
      // Back off (1 s, 2 s, … up to a minute) instead of spinning on a missing or broken binary.
      const delay = Math.min(60_000, 1_000 * 2 ** Math.min(this.failures - 1, 6));
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.refill();
      }, delay);
      this.retryTimer.unref?.();
    }
  }

  stats(): ClaudeProcessStats {
    const e = env();
    const idle = [...this.warm.values()].map((w) => w.proc);
    const waiting = pausedProcesses();
    const sum = (pids: Array<number | undefined>) => pids.reduce<number>((n, pid) => n + residentBytes(pid), 0);
    const pid = (c: SpawnedProcess | undefined) => (c as { pid?: number } | undefined)?.pid;
    const sparePids = [...this.spares, ...this.starting].map((s) => pid(s.child));
    const known = (pids: Array<number | undefined>) => pids.filter((p): p is number => p !== undefined);
    return {
      running: this.running.size,
      waiting: waiting.length,
      idle: idle.length,
      spare: this.spares.length,
      rssBytes: {
        running: sum([...this.running].map((p) => p.pid)),
        waiting: sum(waiting.map((p) => p.pid)),
        idle: sum(idle.map((p) => p.pid)),
        spare: sum(sparePids),
      },
      pids: {
        running: known([...this.running].map((p) => p.pid)),
        idle: known(idle.map((p) => p.pid)),
        spare: known(sparePids),
      },
      limits: { warmSessions: e.CLAUDE_WARM_SESSIONS, warmIdleMs: e.CLAUDE_WARM_IDLE_MS, spares: e.CLAUDE_SPARES },
    };
  }

  /** Ends every idle process and spare and starts no more (SIGTERM/SIGINT). Running turns end through their abort. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const idle = [...this.warm.keys()];
    for (const id of idle) this.dropWarm(id);
    const spares = [...this.spares.splice(0), ...this.starting];
    await Promise.all([
      ...spares.map(async (s) => {
        if (s.live) await s.live.close();
        s.spare?.close();
        await endProcess(s.child);
      }),
      ...[...this.running].map((p) => p.close()),
      closePaused(),
    ]);
  }
}

const g = globalThis as unknown as { __ccBridgeClaudePool?: ClaudePool };

/** The process-wide pool (on globalThis: Next.js may load this module in more than one bundle). */
export function claudePool(): ClaudePool {
  if (!g.__ccBridgeClaudePool) {
    const pool = new ClaudePool();
    g.__ccBridgeClaudePool = pool;
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => void pool.shutdown());
    pool.refill();
  }
  return g.__ccBridgeClaudePool;
}

/** For /health and /metrics: live processes by state and their memory. */
export const claudeProcessStats = (): ClaudeProcessStats => claudePool().stats();
