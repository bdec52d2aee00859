import "server-only";
import { env } from "../../env";
import type { ClaudePool } from "./pool";
import { pidOf, residentBytes } from "./spawn";
import { pausedProcesses } from "./tool-loop";

export interface ClaudeProcessStats {
  running: number;
  /** Turns paused while their clients run tools (see CLAUDE_TOOL_WAIT_MS). */
  waiting: number;
  idle: number;
  spare: number;
  /** Used for a stateless request, cleared, ready for the same caller and configuration. */
  reusable: number;
  /** Every live process (the states above, and those being started or ended). */
  total: number;
  /** New processes between their spawn and their first answer (or readiness, for a spare). */
  starting: number;
  /** Ready processes (spares and reusable) the recent demand calls for now. */
  target: number;
  /**
   * The pool's running estimates (ms): a new process's start (spawn until its first answer), a
   * spare's (spawn until ready), a `/clear`, a stateless turn (null until one was measured), and a
   * turn's first answer on a reused process, a pre-claimed and a parked spare. They decide what a
   * request that finds no process of its own ready waits for.
   */
  estimates: {
    startMs: number;
    spareStartMs: number;
    clearMs: number;
    turnMs: number | null;
    firstAnswerMs: { reused: number; spare: number; parked: number };
  };
  /** Requests waiting for a process now, and all that waited since the start, with how long. */
  waits: { queued: number; total: number; totalMs: number; maxMs: number };
  /** Resident memory of every live process, by state, in bytes. */
  rssBytes: { running: number; waiting: number; idle: number; spare: number; reusable: number };
  /** Process ids by state (spares being started included; `preclaimed`: the ready spare claimed ahead, one of `spare`). */
  pids: { running: number[]; idle: number[]; spare: number[]; preclaimed: number[]; reusable: number[] };
  limits: {
    warmSessions: number;
    warmIdleMs: number;
    spares: number;
    sparesMax: number;
    maxProcesses: number;
    maxStarting: number;
    /** Stateless requests one process serves before it is ended (CLAUDE_REUSE_MAX_REQUESTS). */
    reuseMaxRequests: number;
  };
}

/** For /health, /metrics and the console: the pool's processes by state, their memory, the waits and the limits. */
export function processStats(pool: ClaudePool): ClaudeProcessStats {
  const e = env();
  const idle = [...pool.warm.values()].map((w) => w.proc);
  const reusable = [...pool.ready.map((r) => r.proc), ...pool.clearing.keys()];
  const waiting = pausedProcesses();
  const sum = (pids: Array<number | undefined>) => pids.reduce<number>((n, pid) => n + residentBytes(pid), 0);
  const sparePids = pool.spares.pids();
  const known = (pids: Array<number | undefined>) => pids.filter((p): p is number => p !== undefined);
  return {
    running: pool.running.size,
    waiting: waiting.length,
    idle: idle.length,
    spare: pool.spares.ready.length,
    reusable: reusable.length,
    total: pool.live.size,
    starting: pool.starting.size + pool.spares.starting.size,
    target: pool.target,
    estimates: {
      startMs: Math.round(pool.demand.start.value),
      spareStartMs: Math.round(pool.demand.spareStart.value),
      clearMs: Math.round(pool.demand.clear.value),
      turnMs: Number.isFinite(pool.demand.turn.value) ? Math.round(pool.demand.turn.value) : null,
      firstAnswerMs: {
        reused: Math.round(pool.demand.firstAnswer.reused.value),
        spare: Math.round(pool.demand.firstAnswer.spare.value),
        parked: Math.round(pool.demand.firstAnswer.parked.value),
      },
    },
    waits: { queued: pool.waiters.length, ...pool.waitStats },
    rssBytes: {
      running: sum([...pool.running].map((p) => p.pid)),
      waiting: sum(waiting.map((p) => p.pid)),
      idle: sum(idle.map((p) => p.pid)),
      spare: sum(sparePids),
      reusable: sum(reusable.map((p) => p.pid)),
    },
    pids: {
      running: known([...pool.running].map((p) => p.pid)),
      idle: known(idle.map((p) => p.pid)),
      spare: known(sparePids),
      preclaimed: known(pool.spares.ready.filter((s) => s.live).map((s) => pidOf(s.child))),
      reusable: known(reusable.map((p) => p.pid)),
    },
    limits: {
      warmSessions: e.CLAUDE_WARM_SESSIONS,
      warmIdleMs: e.CLAUDE_WARM_IDLE_MS,
      spares: e.CLAUDE_SPARES,
      sparesMax: Math.max(e.CLAUDE_SPARES, e.CLAUDE_SPARES_MAX),
      maxProcesses: e.CLAUDE_MAX_PROCESSES,
      maxStarting: e.CLAUDE_MAX_STARTING,
      reuseMaxRequests: e.CLAUDE_REUSE_MAX_REQUESTS,
    },
  };
}
