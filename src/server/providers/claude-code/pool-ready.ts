import "server-only";
import { env } from "../../env";
import type { LiveProcess } from "./live";
import type { ClaudePool } from "./pool";
import { fits, type Want } from "./reuse";

const CLEAR_TIMEOUT_MS = 10_000;

/** A reusable process of this caller and configuration (or one nobody has used), taken out. */
export function takeReady(pool: ClaudePool, want: Want): LiveProcess | null {
  if (!want.reuseOk) return null;
  for (let i = pool.ready.length - 1; i >= 0; i--) {
    const entry = pool.ready[i];
    if (!entry || !fits(entry.proc, want)) continue;
    pool.ready.splice(i, 1);
    clearTimeout(entry.timer);
    if (!entry.proc.alive) continue;
    entry.proc.kind = "reused";
    return entry.proc;
  }
  return null;
}

/**
 * A stateless turn ended well on a process that may be reused (reuse.ts): it is cleared and kept
 * for its caller and configuration, or handed at once to the first request waiting for it.
 */
export async function recycle(pool: ClaudePool, proc: LiveProcess): Promise<void> {
  pool.running.delete(proc);
  pool.noteFirstAnswer(proc);
  // A turn paused for a client's tool results says nothing of how long Claude's turns take.
  const turnMs = proc.pausedOnce ? null : Date.now() - proc.sentAt;
  const e = env();
  // Kept only within CLAUDE_SPARES_MAX ready processes, of which the spares CLAUDE_SPARES keeps take
  // their share (older reusable ones make room, least recently used first; pool-schedule.ts): with
  // no room at all (CLAUDE_SPARES_MAX at or below CLAUDE_SPARES) nothing is reused, nor cleared first.
  const room = Math.max(e.CLAUDE_SPARES, e.CLAUDE_SPARES_MAX) - e.CLAUDE_SPARES;
  proc.served++;
  if (pool.stopped || !proc.alive || room <= 0 || proc.served >= e.CLAUDE_REUSE_MAX_REQUESTS) return pool.release(proc);
  const at = Date.now();
  pool.clearing.set(proc, at);
  pool.schedule();
  try {
    await proc.clear(AbortSignal.timeout(CLEAR_TIMEOUT_MS));
    pool.demand.clear.add(Date.now() - at);
    if (turnMs !== null) pool.demand.turn.add(turnMs);
  } catch {
    pool.clearing.delete(proc);
    return pool.release(proc);
  }
  pool.clearing.delete(proc);
  pool.letGo(proc, true);
  if (pool.stopped || !proc.alive) return pool.release(proc);
  const timer = setTimeout(() => dropReady(pool, proc), env().CLAUDE_WARM_IDLE_MS);
  timer.unref?.();
  pool.ready.push({ proc, since: Date.now(), timer });
  void proc.exited.then(() => dropReady(pool, proc));
  pool.schedule();
}

/** Ends a reusable process (idle too long, past CLAUDE_SPARES_MAX, or to make room). */
export function dropReady(pool: ClaudePool, proc: LiveProcess): void {
  const i = pool.ready.findIndex((e) => e.proc === proc);
  if (i < 0) return;
  const [entry] = pool.ready.splice(i, 1);
  clearTimeout(entry?.timer);
  void proc.close();
  pool.schedule();
}
