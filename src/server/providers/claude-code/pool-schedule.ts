import "server-only";
import type { Env } from "../../env-schema";
import type { LiveProcess } from "./live";
import type { ClaudePool, Waiter } from "./pool";
import { dropReady, takeReady } from "./pool-ready";
import { fits, type Want } from "./reuse";

/**
 * The pool's decisions, made again whenever something changes (and on a short tick while anything
 * waits or starts):
 * 1. Requests waiting for a process, first come first served. Each takes a ready process of its
 *    own (cleared, same caller and configuration). Else whatever gives it its first token soonest:
 *    one of its own being cleared, or busy (free when its turn ends and `/clear` is done; several
 *    requests may line up for one process, each after the turns of those before it), a ready spare
 *    (a parked one's first turn is slower than the pre-claimed one's), a spare being started, or a
 *    new process started for it now. The estimates (demand.ts) are measured: until a turn has been
 *    seen, nobody waits for a busy process. A new process starts only while fewer than CLAUDE_MAX_STARTING are starting and
 *    fewer than CLAUDE_MAX_PROCESSES live; a request that would start one but cannot keeps every
 *    later request from starting one before it (it still takes any process of its own that comes
 *    free first), and has an idle process ended to make room when CLAUDE_MAX_PROCESSES is what
 *    stops it.
 * 2. Ready processes: spares are started while the processes that serve stateless work (busy ones
 *    that will come back, ready ones, spares) are fewer than the recent demand calls for, with at
 *    least CLAUDE_SPARES spares and at most CLAUDE_SPARES_MAX ready processes; but only while no
 *    request waits, and while our processes that are starting or before their turn's first answer
 *    (the CPU-bound parts) are fewer than CLAUDE_MAX_STARTING. Past CLAUDE_SPARES_MAX, spares beyond
 *    CLAUDE_SPARES are ended first, then the least recently used reusable processes; spares past
 *    the demand are ended after CLAUDE_WARM_IDLE_MS idle.
 */
export function plan(pool: ClaudePool, now: number, e: Env): void {
  pool.demand.setHorizon(Math.min(e.CLAUDE_WARM_IDLE_MS, 60_000));
  const blocked = serveWaiters(pool, now, e);
  keepReady(pool, now, e, blocked);
}

const startingCount = (pool: ClaudePool) => pool.starting.size + pool.spares.starting.size;

/** Turns of ours between their message and their first answer: Claude Code's CPU-heavy part of a turn. */
const firstAnswersDue = (pool: ClaudePool) =>
  [...pool.running].filter((p) => p.state === "running" && !p.answered).length;

const canStart = (pool: ClaudePool, e: Env) =>
  startingCount(pool) < e.CLAUDE_MAX_STARTING && pool.live.size < e.CLAUDE_MAX_PROCESSES;

/**
 * When each process now busy or being cleared, or each spare being started, is expected free for the
 * next request in the queue: a process promised to a request is free again after that request's turn
 * and `/clear` (so several requests may line up for one process), a spare only once.
 */
type FreeAt = Map<object, number>;

interface Option {
  /** When the request's first token is expected on it. */
  firstToken: number;
  take(): void;
}

/** The busy, being-cleared or starting process whose first token for this request is expected soonest. */
function soonest(pool: ClaudePool, want: Want, now: number, freeAt: FreeAt): Option | null {
  const est = pool.demand;
  let best: Option | null = null;
  const consider = (token: object, free: number, firstAnswer: number, again: number, waitedFor?: () => void) => {
    const at = freeAt.get(token) ?? free;
    if (best && at + firstAnswer >= best.firstToken) return;
    best = {
      firstToken: at + firstAnswer,
      take: () => {
        freeAt.set(token, at + again);
        waitedFor?.();
      },
    };
  };
  const reuse = est.turn.value + est.clear.value;
  if (want.reuseOk) {
    const reused = est.firstAnswer.reused.value;
    for (const [p, at] of pool.clearing) if (fits(p, want)) consider(p, at + est.clear.value, reused, reuse);
    for (const p of pool.running) {
      if (p.reuseKey === null || !fits(p, want) || p.state !== "running") continue;
      // A turn that has run for t is expected to run about as long again (and at least as long as usual).
      const elapsed = now - p.sentAt;
      consider(p, p.sentAt + Math.max(est.turn.value, 2 * elapsed) + est.clear.value, reused, reuse);
    }
  }
  if (want.spareOk) {
    for (const s of pool.spares.startingFor(want.config)) {
      const first = s.preclaim ? est.firstAnswer.spare.value : est.firstAnswer.parked.value;
      // A request now waits for this spare's start: no longer below the gateway's priority (spawn.ts).
      consider(s, s.startedAt + est.spareStart.value, first, Number.POSITIVE_INFINITY, () => pool.spares.hurry(s));
    }
  }
  return best;
}

/**
 * A new process's first answer: its start, then a first turn no faster than on a ready process. The
 * estimates are measured apart and under changing load, so one of a spare's slow first answers must
 * not make a new process look sooner than that spare.
 */
function coldMs(pool: ClaudePool): number {
  const { start, firstAnswer } = pool.demand;
  return Math.max(start.value, firstAnswer.reused.value, firstAnswer.spare.value, firstAnswer.parked.value);
}

/** How long until a start could begin: the earliest expected end of a start now under way. */
function startDelay(pool: ClaudePool, now: number): number {
  const est = pool.demand;
  const ends = [
    ...[...pool.starting.values()].map((at) => at + est.start.value),
    ...[...pool.spares.starting].map((s) => s.startedAt + est.spareStart.value),
  ].map((end) => end - now);
  return Math.max(0, Math.min(...ends, est.start.value));
}

/**
 * Serves the queue in order; returns whether a request waits for a start it could not have. A
 * request's own ready process is always taken; otherwise the option with the soonest expected first
 * token: its own process being cleared or busy, a ready spare (pre-claimed, or parked and claimed
 * now), a spare being started, or a new process.
 */
function serveWaiters(pool: ClaudePool, now: number, e: Env): boolean {
  const est = pool.demand;
  const freeAt: FreeAt = new Map();
  let blocked = false;
  for (const w of [...pool.waiters]) {
    if (!pool.waiters.includes(w)) continue;
    const own = takeReady(pool, w.want);
    if (own) {
      pool.handOver(w, own, "reused");
      continue;
    }
    const options: Option[] = [];
    const other = soonest(pool, w.want, now, freeAt);
    if (other) options.push(other);
    const kind = w.want.spareOk ? pool.spares.peek(w.want.config) : null;
    if (kind) {
      options.push({
        firstToken: now + est.firstAnswer[kind].value,
        take: () => {
          const spare = pool.spares.claim(w.want.config);
          if (spare) pool.handOver(w, spare, kind);
        },
      });
    }
    const startNow = !blocked && canStart(pool, e);
    const cold: Option = {
      firstToken: now + coldMs(pool) + (startNow ? 0 : startDelay(pool, now)),
      take: () => pool.startFor(w),
    };
    // The soonest first token; on a tie, what starts nothing new (a busy or cleared process, a spare).
    const best = options.reduce((a, b) => (b.firstToken <= a.firstToken ? b : a), cold);
    if (best !== cold || startNow) {
      best.take();
      continue;
    }
    if (!blocked && pool.live.size >= e.CLAUDE_MAX_PROCESSES) makeRoom(pool, w);
    blocked = true;
  }
  return blocked;
}

/** Ends one idle process nobody waits for (a reusable, a warm session's, a spare), least recently used first. */
function makeRoom(pool: ClaudePool, w: Waiter): void {
  if (pool.evicting.size > 0) return; // one at a time: its exit runs the queue again
  const wanted = (p: LiveProcess) => pool.waiters.some((x) => x !== w && x.want.reuseOk && fits(p, x.want));
  const reusable = pool.ready.find((r) => !wanted(r.proc))?.proc;
  const warm = [...pool.warm.values()][0]?.proc;
  const victim = reusable ?? warm;
  if (victim) {
    pool.evicting.add(victim);
    void victim.exited.then(() => pool.evicting.delete(victim));
    if (reusable) dropReady(pool, reusable);
    else for (const [id, entry] of pool.warm) if (entry.proc === victim) pool.dropWarm(id);
    return;
  }
  const spare = pool.spares.ready[0];
  if (spare) pool.spares.drop(spare);
}

function keepReady(pool: ClaudePool, now: number, e: Env, blocked: boolean): void {
  const min = e.CLAUDE_SPARES;
  const max = Math.max(min, e.CLAUDE_SPARES_MAX);
  const wanted = pool.demand.wanted(now);
  // Spares are started for the placement (workspace and level) of the latest request that could take one.
  const place = pool.sparePlace();
  const mine = () => (place ? pool.spares.countFor(place.key) : 0);
  const stale = () => pool.spares.ready.filter((s) => s.place.key !== place?.key);
  // Busy processes that will come back (stateless turns), and requests still waiting for one.
  const busy = [...pool.running].filter((p) => p.reuseKey !== null).length + pool.waiters.length;
  pool.target = Math.max(min, Math.min(max, wanted - busy));
  const readyCount = () => pool.ready.length + pool.clearing.size + pool.spares.count;
  // Past the maximum: spares of another placement first, then spares beyond CLAUDE_SPARES, then the
  // least recently used reusable processes.
  while (readyCount() > max) {
    const old = stale()[0];
    if (old) pool.spares.drop(old);
    else if (mine() > min) {
      const extra = pool.spares.ready.at(-1);
      if (!extra) break; // still starting: ended once it is ready
      pool.spares.drop(extra);
    } else if (pool.ready[0]) dropReady(pool, pool.ready[0].proc);
    else break;
  }
  // Spares of another placement go after CLAUDE_WARM_IDLE_MS idle; spares past the demand too (never below CLAUDE_SPARES).
  for (const s of stale().filter((x) => now - x.readyAt > e.CLAUDE_WARM_IDLE_MS)) pool.spares.drop(s);
  for (const s of pool.spares.ready.filter((x) => now - x.readyAt > e.CLAUDE_WARM_IDLE_MS)) {
    if (mine() <= min || busy + readyCount() <= wanted) break;
    pool.spares.drop(s);
  }
  if (!place || pool.stopped || blocked || pool.waiters.length > 0 || !pool.spares.canStart) return;
  while (
    // Busy processes come back ready: counted against the maximum, so a spare is not started only to be ended.
    (mine() < min || busy + readyCount() < Math.min(wanted, max)) &&
    startingCount(pool) + firstAnswersDue(pool) < e.CLAUDE_MAX_STARTING &&
    pool.live.size < e.CLAUDE_MAX_PROCESSES
  ) {
    // Room for this placement's own spares: a spare of another placement goes first.
    const old = readyCount() >= max ? stale()[0] : undefined;
    if (old) pool.spares.drop(old);
    pool.spares.start(place);
  }
}
