import { describe, expect, it } from "vitest";
import { Demand } from "./demand";
import type { LiveProcess } from "./live";
import type { ClaudePool, Waiter } from "./pool";
import { plan } from "./pool-schedule";
import type { Want } from "./reuse";
import { defaultConfig } from "./spares";
import type { Placement } from "./workspace";

const place = { key: "p", dir: "/w", level: "sandboxed", options: {} } as Placement;

const env = {
  CLAUDE_WARM_IDLE_MS: 300_000,
  CLAUDE_SPARES: 1,
  CLAUDE_SPARES_MAX: 4,
  CLAUDE_MAX_STARTING: 2,
  CLAUDE_MAX_PROCESSES: 12,
};

/** The pool's state as plan() reads it: one waiting stateless request, and a ready pre-claimed spare or none. */
function poolWith(spareReady: boolean) {
  const handed: string[] = [];
  const spare = { pid: 1 } as unknown as LiveProcess;
  const want: Want = {
    caller: "",
    key: "k",
    config: defaultConfig(place),
    reuseOk: true,
    stateless: true,
    spareOk: true,
    make: () => spare,
  };
  const waiter: Waiter = { want, at: 0, signal: new AbortController().signal, queued: true, done: () => {} };
  const pool = {
    demand: new Demand(60_000),
    waiters: [waiter],
    ready: [],
    clearing: new Map(),
    running: new Set(),
    starting: new Map(),
    live: new Set(),
    evicting: new Set(),
    warm: new Map(),
    target: 0,
    stopped: false,
    sparePlace: () => place,
    spares: {
      ready: [],
      starting: new Set(),
      count: spareReady ? 1 : 0,
      countFor: () => (spareReady ? 1 : 0),
      canStart: false,
      peek: () => (spareReady ? "spare" : null),
      claim: () => (spareReady ? spare : null),
      startingFor: () => [],
    },
    handOver(w: Waiter, _p: LiveProcess, as: string) {
      handed.push(as);
      this.waiters.splice(this.waiters.indexOf(w), 1);
    },
    startFor(w: Waiter) {
      handed.push("cold");
      this.waiters.splice(this.waiters.indexOf(w), 1);
    },
  };
  return { pool, handed };
}

describe("the pool's plan", () => {
  it("gives a waiting request the ready spare even when spares' first answers were measured slower than a start", () => {
    const { pool, handed } = poolWith(true);
    // Under load a spare's first answer took 3 s, while the one start measured took 600 ms.
    pool.demand.firstAnswer.spare.add(3_000);
    pool.demand.start.add(600);
    plan(pool as unknown as ClaudePool, 10_000, env as never);
    expect(handed).toEqual(["spare"]);
  });

  it("starts a new process when no spare is ready", () => {
    const { pool, handed } = poolWith(false);
    pool.demand.start.add(600);
    plan(pool as unknown as ClaudePool, 10_000, env as never);
    expect(handed).toEqual(["cold"]);
  });
});
