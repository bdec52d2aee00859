/**
 * Claude Code under load: ready processes that follow the demand, bursts within the start limit,
 * waits reported, CLAUDE_MAX_PROCESSES under a flood, and nothing left after SIGTERM. Observed from
 * outside the gateway: the `claude` processes in /proc, the CLI's own session files and the fake
 * Anthropic API's requests.
 */
import fs from "node:fs";
import path from "node:path";
import parsePrometheus from "parse-prometheus-text-format";
import { describe, expect, inject, it } from "vitest";
import type { ClaudeSetup } from "../helpers/claude";
import { CLAUDE_BIN, claudePids, processStats, startClaudeGateway } from "../helpers/claude";
import { eventually } from "../helpers/gateway";

const bin = fs.realpathSync(CLAUDE_BIN);

const isClaude = (pid: number) => {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`) === bin;
  } catch {
    return false;
  }
};
const parentOf = (pid: number) => {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
  } catch {
    return 0;
  }
};

/** The setup's `claude` processes themselves, those the gateway started (not what they start, the same binary included). */
const claudes = (c: ClaudeSetup) => claudePids(c.configDir).filter((p) => isClaude(p) && !isClaude(parentOf(p)));

/** Claude's session id of a process, from the file the CLI keeps while it runs (null until written). */
function sessionOfPid(c: ClaudeSetup, pid: number): string | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(c.configDir, "sessions", `${pid}.json`), "utf8")).sessionId ?? null;
  } catch {
    return null;
  }
}

/** Samples `measure` every few ms while `during` runs; returns its result and every sample. */
async function sampling<T, S>(
  measure: () => S,
  during: () => Promise<T>,
  everyMs = 5,
): Promise<{ result: T; samples: S[] }> {
  const samples: S[] = [measure()];
  const timer = setInterval(() => samples.push(measure()), everyMs);
  try {
    return { result: await during(), samples };
  } finally {
    clearInterval(timer);
  }
}

const ask = (c: ClaudeSetup, content: string, opts: { system?: string; session?: string } = {}) =>
  c.gw.openai(opts.session ? { sessionId: opts.session } : {}).chat.completions.create({
    model: "claude-code",
    messages: [...(opts.system ? [{ role: "system" as const, content: opts.system }] : []), { role: "user", content }],
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ready processes follow the demand", () => {
  it("spares grow under a steady rate (up to CLAUDE_SPARES_MAX) and shrink to CLAUDE_SPARES when idle", async () => {
    const c = await startClaudeGateway({ CLAUDE_SPARES: "1", CLAUDE_SPARES_MAX: "4", CLAUDE_WARM_IDLE_MS: "2000" });
    try {
      await eventually(async () => (await processStats(c.gw)).spare === 1, 20_000);
      const seen: Array<{ spare: number; reusable: number; target: number; total: number }> = [];
      const watch = setInterval(async () => {
        const s = await processStats(c.gw).catch(() => null);
        if (s) seen.push({ spare: s.spare, reusable: s.reusable, target: s.target, total: s.total });
      }, 100);
      // Two clients, each sending one request after the other, for five seconds: a steady rate.
      const end = Date.now() + 5_000;
      let n = 0;
      const client = async (name: string) => {
        for (let i = 0; Date.now() < end; i++, n++)
          expect((await ask(c, `${name} ${i}`)).choices[0]?.message.content).toBe(`Echo: ${name} ${i}`);
      };
      try {
        await Promise.all([client("left"), client("right")]);
      } finally {
        clearInterval(watch);
      }
      expect(n).toBeGreaterThan(5);
      // The two clients hold two processes and CLAUDE_SPARES keeps one spare: the demand added more.
      expect(Math.max(...seen.map((s) => s.target)), "the demand never called for more").toBeGreaterThanOrEqual(2);
      expect(
        Math.max(...seen.map((s) => s.total)),
        `no process was added: ${JSON.stringify(seen)}`,
      ).toBeGreaterThanOrEqual(4);
      const most = Math.max(...seen.map((s) => s.spare + s.reusable));
      expect(most, "more ready processes than CLAUDE_SPARES_MAX").toBeLessThanOrEqual(4);

      // Demand gone: back to the one spare CLAUDE_SPARES keeps, and no other process.
      const idle = await eventually(async () => {
        const s = await processStats(c.gw);
        return s.spare === 1 && s.reusable === 0 && s.total === 1 ? s : undefined;
      }, 30_000);
      expect(idle.target).toBe(1);
      expect(claudes(c)).toHaveLength(1);
    } finally {
      await c.close();
    }
  });
});

/** The niceness of every thread of a process (field 19 of /proc/<pid>/task/<tid>/stat). */
const niceOf = (pid: number) =>
  fs
    .readdirSync(`/proc/${pid}/task`)
    .map((tid) => Number(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]?.split(" ")[16]));

describe("CPU priority", () => {
  it("a spare starts below the gateway's priority and is set back once ready; a process a request waits for starts at it", async () => {
    // CLAUDE_BIN notes the niceness each process that serves turns (its input is stream-json) starts with, then runs the real binary.
    const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "nice-"));
    const log = path.join(dir, "nice.log");
    const wrapper = path.join(dir, "claude");
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\ncase "$*" in *stream-json*) nice >> "${log}";; esac\nexec "${CLAUDE_BIN}" "$@"\n`,
      { mode: 0o755 },
    );
    const c = await startClaudeGateway({ CLAUDE_BIN: wrapper, CLAUDE_SPARES: "1", CLAUDE_SPARES_MAX: "1" });
    try {
      const own = Number(fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ")[16]);
      const spare = await eventually(async () => (await processStats(c.gw)).pids.spare[0], 20_000);
      expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual([String(own + 10)]);
      // Set back when ready, where the gateway may raise a priority (root); else it stays lower.
      const back = process.getuid?.() === 0 ? own : own + 10;
      await eventually(() => niceOf(spare).every((n) => n === back), 5_000);
      // A request with function tools (which no spare serves) waits for a new process: started at the gateway's priority.
      const tools = [{ type: "function" as const, function: { name: "noop", parameters: { type: "object" } } }];
      const answer = await c.gw.openai().chat.completions.create({
        model: "claude-code",
        messages: [{ role: "user", content: "hello" }],
        tools,
      });
      expect(answer.choices[0]?.message.content).toBe("Echo: hello");
      expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual([String(own + 10), String(own)]);
    } finally {
      await c.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bursts", () => {
  it("never has more processes starting than CLAUDE_MAX_STARTING; the waits show in /health and /metrics", async () => {
    // No reuse and no spares: every request of the burst needs a process of its own.
    const c = await startClaudeGateway({
      CLAUDE_SPARES: "0",
      CLAUDE_SPARES_MAX: "0",
      CLAUDE_MAX_STARTING: "2",
      CLAUDE_MAX_CONCURRENCY: "8",
      CLAUDE_MAX_PROCESSES: "12",
      METRICS_KEY: "metrics-key",
    });
    try {
      await ask(c, "warm the routes");
      await eventually(() => claudes(c).length === 0, 5_000);
      const called = () => new Set(c.fake.requests.map((r) => String(r.headers["x-claude-code-session-id"])));
      // Starting: a live process that has not yet sent its first API call. (A process that has
      // stays started: the CLI removes its session file before it exits.)
      const started = new Set<number>();
      const starting = () => {
        const done = called();
        return claudes(c).filter((p) => {
          if (started.has(p)) return false;
          const sid = sessionOfPid(c, p);
          if (sid !== null && done.has(sid)) started.add(p);
          return !started.has(p);
        }).length;
      };
      const allPids = new Set<number>();
      const { result, samples } = await sampling(
        () => {
          for (const p of claudes(c)) allPids.add(p);
          return starting();
        },
        () => Promise.all([1, 2, 3, 4, 5, 6].map((i) => ask(c, `burst ${i} a b c d e f [[fake:slow=60]]`))),
      );
      expect(result.map((r) => r.choices[0]?.message.content)).toEqual(
        [1, 2, 3, 4, 5, 6].map((i) => `Echo: burst ${i} a b c d e f`),
      );
      expect(allPids.size, "each request had its own process").toBeGreaterThanOrEqual(6);
      expect(Math.max(...samples), "more processes starting at once than CLAUDE_MAX_STARTING").toBeLessThanOrEqual(2);
      const { waits } = await processStats(c.gw);
      expect(waits.total, "nobody waited for a start").toBeGreaterThanOrEqual(1);
      expect(waits.totalMs).toBeGreaterThan(0);
      expect(waits.queued).toBe(0);
      const text = await (
        await fetch(`${c.gw.url}/metrics`, { headers: { authorization: "Bearer metrics-key" } })
      ).text();
      const family = (name: string) => parsePrometheus(text).find((f: any) => f.name === name) as any;
      const hist = family("ccbridge_claude_process_wait_seconds").metrics[0];
      expect(Number(hist.count)).toBe(waits.total);
      expect(Number(hist.sum)).toBeCloseTo(waits.totalMs / 1000, 2);
      expect(family("ccbridge_claude_process_queue_length").metrics[0].value).toBe("0");
    } finally {
      await c.close();
    }
  });

  it("a request waits for a process of its own that will be free sooner than a new one would start", async () => {
    const c = await startClaudeGateway({
      CLAUDE_SPARES: "0",
      CLAUDE_SPARES_MAX: "4",
      CLAUDE_MAX_STARTING: "1",
      CLAUDE_MAX_CONCURRENCY: "8",
    });
    try {
      // A few quick turns on one process: the pool learns how long a turn and a start take.
      for (let i = 0; i < 4; i++) await ask(c, `learn ${i}`);
      await eventually(async () => (await processStats(c.gw)).reusable === 1, 5_000);
      const before = new Set(claudes(c));
      const fresh = new Set<number>();
      const { result } = await sampling(
        () => {
          for (const p of claudes(c)) if (!before.has(p)) fresh.add(p);
        },
        () => Promise.all([1, 2, 3, 4].map((i) => ask(c, `quick ${i}`))),
      );
      expect(result.map((r) => r.choices[0]?.message.content)).toEqual([1, 2, 3, 4].map((i) => `Echo: quick ${i}`));
      // Four requests at once, one ready process: most of them waited for it rather than start their own.
      expect(fresh.size, "a new process for each request").toBeLessThanOrEqual(2);
      expect((await processStats(c.gw)).waits.total).toBeGreaterThanOrEqual(2);
    } finally {
      await c.close();
    }
  });
});

describe("CLAUDE_MAX_PROCESSES", () => {
  it("holds under a flood of stateless and session requests of many configurations; every request is answered", async () => {
    const c = await startClaudeGateway({
      CLAUDE_SPARES: "1",
      CLAUDE_SPARES_MAX: "4",
      CLAUDE_MAX_PROCESSES: "3",
      CLAUDE_MAX_CONCURRENCY: "8",
      CLAUDE_WARM_SESSIONS: "4",
    });
    try {
      await eventually(async () => (await processStats(c.gw)).spare === 1, 20_000);
      const flood = () =>
        Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            i % 4 === 3
              ? ask(c, `session ${i}`, { session: `flood-${i}-${Date.now()}` })
              : ask(c, `flood ${i}`, i % 4 === 0 ? {} : { system: `persona ${i % 3}` }),
          ),
        );
      const { result, samples } = await sampling(() => claudes(c).length, flood);
      expect(result.map((r) => r.choices[0]?.message.content)).toEqual(
        Array.from({ length: 12 }, (_, i) => (i % 4 === 3 ? `Echo: session ${i}` : `Echo: flood ${i}`)),
      );
      expect(Math.max(...samples), "more live claude processes than CLAUDE_MAX_PROCESSES").toBeLessThanOrEqual(3);
      expect(Math.max(...samples)).toBe(3);
      const s = await processStats(c.gw);
      expect(s.total).toBeLessThanOrEqual(3);
      expect(s.waits.total).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });
});

describe("shutdown", () => {
  it("SIGTERM with running, idle, reusable, spare, starting processes and queued requests leaves no process", async () => {
    const c = await startClaudeGateway({ CLAUDE_SPARES: "1", CLAUDE_MAX_STARTING: "1", CLAUDE_MAX_CONCURRENCY: "8" });
    try {
      await eventually(async () => (await processStats(c.gw)).spare === 1, 20_000);
      await ask(c, "keep me warm", { session: `term-${Date.now()}` });
      await ask(c, "reuse me");
      await eventually(async () => (await processStats(c.gw)).reusable === 1, 5_000);
      const hung = ask(c, "[[fake:hang]]").catch((e) => e);
      const queued = [1, 2, 3].map((i) =>
        ask(c, `queued ${i} [[fake:hang]]`, { system: `other ${i}` }).catch((e) => e),
      );
      await eventually(async () => {
        const s = await processStats(c.gw);
        return s.running >= 2 && s.idle === 1 && s.waits.queued >= 1;
      }, 15_000);
      expect(claudes(c).length).toBeGreaterThanOrEqual(3);
      await c.gw.stop();
      for (const r of [await hung, ...(await Promise.all(queued))]) expect(r.status).toBe(503);
      await eventually(() => claudePids(c.configDir).length === 0, 5_000);
      await sleep(500);
      expect(claudePids(c.configDir)).toEqual([]);
    } finally {
      await c.close();
    }
  });
});
