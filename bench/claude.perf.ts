/**
 * Claude Code start-up and load, side by side in one run (driven by bench/claude.mjs). The upstream is
 * the fake Anthropic API of the tests, which answers at once, so every figure is Claude Code's own
 * start-up and turn overhead plus the gateway's. Time to first token of:
 * - a cold `claude -p` (the real CLI, started for one prompt): the yardstick of every ratio;
 * - through the gateway: a new process (no spare, no reuse), a stateless request and a session's
 *   first turn on a spare (started for sessions), a session's later turn on its warm process, a
 *   stateless request on a reused (cleared) process, and a session's first turn after it (a new
 *   process: a cleared stateless process keeps no transcript, so it cannot hold a session);
 * - stateless requests one after the other with gaps of 3 s, 1.5 s, 0.5 s and none, each series on
 *   a gateway of its own with the default configuration;
 * - a burst of 4 at once: after the gap-less series (the gateway has seen traffic), on an idle
 *   gateway that has seen none, and on that gateway again 5 s later.
 * Also the resident memory of an idle session process, a spare and a reused process, and the load
 * average before and after (the figures move with the machine's load).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "vitest";
import { startFakeAnthropic } from "../tests/fakes/anthropic";
import { type Gateway, startGateway } from "../tests/helpers/gateway";
import { streamTurn } from "./claude-turn";

const root = path.resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SERIES = Math.max(6, RUNS);
const GAPS = [3_000, 1_500, 500, 0];
const BIN = path.join(
  root,
  "node_modules",
  `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`,
  "claude",
);

/** Time from spawn to the first text delta of `claude -p` with the prompt on stdin. */
function coldCli(env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"];
    const child = spawn(BIN, [...args, "--include-partial-messages"], { cwd, env, stdio: ["pipe", "pipe", "ignore"] });
    let buf = "";
    let done = false;
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      if (!done && buf.includes('"text_delta"')) {
        done = true;
        resolve(performance.now() - t0);
      }
    });
    child.on("exit", () => (done ? undefined : reject(new Error("claude -p gave no text"))));
    child.stdin.end(
      `${JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "text", text: "hi" }] } })}\n`,
    );
  });
}

/** Time from sending a streamed chat request to its first content delta. */
const ttft = async (gw: Gateway, headers: Record<string, string> = {}, model = "claude-code"): Promise<number> =>
  (await streamTurn(gw, { headers, model })).ttft;

/** Loads the chat route without starting any Claude process (an Ollama model that is not there). */
async function loadRoute(gw: Gateway): Promise<void> {
  await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "ollama/none", messages: [{ role: "user", content: "hi" }] }),
  }).then((r) => r.arrayBuffer());
}

const health = async (gw: Gateway) => ((await (await fetch(`${gw.url}/health`)).json()) as any).claude.processes;
async function until(check: () => Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
/** Nearest-rank 95th percentile (the largest of fewer than 20 values). */
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1] ?? Number.NaN;

test("claude start-up and load", async () => {
  const load = { start: os.loadavg(), end: [0, 0, 0] };
  const fake = await startFakeAnthropic();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-bench-claude-"));
  const sub = (n: string) => {
    fs.mkdirSync(path.join(dir, n), { recursive: true });
    return path.join(dir, n);
  };
  const env = {
    CLAUDE_BIN: BIN,
    CLAUDE_WORKDIR: sub("work"),
    CLAUDE_CONFIG_DIR: sub("config"),
    HOME: sub("home"),
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: "sk-bench",
    DISABLE_TELEMETRY: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    LOG_REQUESTS: "false",
  };
  let n = 0;
  const gateway = (extra: Record<string, string> = {}) => {
    const p = path.join(dir, `gw-${n++}.db`);
    fs.copyFileSync(process.env.BENCH_DB!, p);
    return startGateway({ ...env, ...extra }, p);
  };
  const open: Gateway[] = [];
  const started = async (extra: Record<string, string> = {}) => {
    const gw = await gateway(extra);
    open.push(gw);
    await loadRoute(gw);
    return gw;
  };
  const rows: Record<string, number[]> = {
    cold: [],
    coldGateway: [],
    spare: [],
    spareSession: [],
    warm: [],
    reused: [],
    reusedSession: [],
  };
  const gaps: Array<{ gap: number; runs: number[] }> = [];
  const burst: { steady: number[]; idle: number[]; again: number[]; idleTwo: number[] } = {
    steady: [],
    idle: [],
    again: [],
    idleTwo: [],
  };
  const memory = { idle: 0, spare: 0, reused: 0 };
  let clearMs = 0;
  try {
    // 1. Start-up: each kind of process, in turn, RUNS times.
    const bare = await started({ CLAUDE_SPARES: "0", CLAUDE_SPARES_MAX: "0", CLAUDE_WARM_SESSIONS: "0" });
    const spares = await started({ CLAUDE_SPARES: "1", CLAUDE_SPARES_MAX: "1" }); // no reuse: room for the spare only
    const reuse = await started(); // the defaults
    // Before each measurement every gateway is quiet: no process starting (a spare started for the
    // demand takes a core for half a second) and no turn running.
    const quiet = () =>
      until(async () => {
        for (const gw of open) {
          const h = await health(gw);
          if (h.starting > 0 || h.running > 0 || h.waits.queued > 0) return false;
        }
        return true;
      });
    const spareReady = async (gw: Gateway) => {
      await until(async () => (await health(gw)).spare >= 1);
      await quiet();
    };
    const reusable = async (gw: Gateway) => {
      await until(async () => (await health(gw)).reusable >= 1);
      await quiet();
    };
    await spareReady(spares);
    await spareReady(reuse);
    for (let i = 0; i < RUNS; i++) {
      await quiet();
      rows.cold!.push(await coldCli({ ...process.env, ...env }, env.CLAUDE_WORKDIR));
      await quiet();
      rows.coldGateway!.push(await ttft(bare));
      // Spares are started for the kind of the latest request (a stateless process keeps no transcript
      // and cannot hold a session): one unmeasured request of each kind first.
      await ttft(spares);
      await spareReady(spares);
      rows.spare!.push(await ttft(spares));
      await ttft(spares, { "x-session-id": `bench-before-${i}-${Date.now()}` });
      await spareReady(spares);
      const sid = `bench-${i}-${Date.now()}`;
      rows.spareSession!.push(await ttft(spares, { "x-session-id": sid }));
      await quiet();
      rows.warm!.push(await ttft(spares, { "x-session-id": sid }));
      // A stateless request leaves its process cleared for the next; a session's first turn takes it.
      await ttft(reuse);
      await reusable(reuse);
      rows.reused!.push(await ttft(reuse));
      await reusable(reuse);
      rows.reusedSession!.push(await ttft(reuse, { "x-session-id": `bench-reuse-${i}-${Date.now()}` }));
    }
    await spareReady(spares);
    await ttft(reuse);
    await reusable(reuse);
    const hs = await health(spares);
    const hr = await health(reuse);
    memory.idle = hs.idle ? hs.rssBytes.idle / hs.idle : 0;
    memory.spare = hs.spare ? hs.rssBytes.spare / hs.spare : 0;
    clearMs = hr.estimates.clearMs;
    for (const gw of open.splice(0)) await gw.stop();

    // 2. Stateless requests one after the other, each gap on a gateway of its own (the defaults).
    let last: Gateway | null = null;
    for (const gap of GAPS) {
      const gw = await started();
      await spareReady(gw);
      const runs: number[] = [];
      for (let i = 0; i < SERIES; i++) {
        if (i > 0) await sleep(gap);
        runs.push(await ttft(gw));
      }
      gaps.push({ gap, runs });
      last = gw;
      if (gap === 0) {
        // The memory of the process(es) the whole series ran on, cleared after each request.
        await until(async () => (await health(gw)).reusable >= 1);
        const h = await health(gw);
        memory.reused = h.rssBytes.reusable / h.reusable;
      }
    }
    // 3. A burst of 4 at once, after the gap-less series, and on an idle gateway.
    await sleep(1_000);
    if (last) burst.steady = await Promise.all([1, 2, 3, 4].map(() => ttft(last as Gateway)));
    for (const gw of open.splice(0)) await gw.stop();
    const idle = await started();
    await spareReady(idle);
    burst.idle = await Promise.all([1, 2, 3, 4].map(() => ttft(idle)));
    // The same gateway 5 s later: the ready processes the first burst called for are still there.
    await sleep(5_000);
    burst.again = await Promise.all([1, 2, 3, 4].map(() => ttft(idle)));
    // An idle gateway that keeps two spares (CLAUDE_SPARES=2): one process fewer to start.
    for (const gw of open.splice(0)) await gw.stop();
    const two = await started({ CLAUDE_SPARES: "2" });
    await until(async () => (await health(two)).spare >= 2);
    await quiet();
    burst.idleTwo = await Promise.all([1, 2, 3, 4].map(() => ttft(two)));
  } finally {
    load.end = os.loadavg();
    for (const gw of open) await gw.stop();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ttfts = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, { median: median(v), runs: v }]));
  const series = gaps.map((g) => ({ ...g, median: median(g.runs), p95: p95(g.runs) }));
  fs.writeFileSync(
    process.env.BENCH_OUT!,
    JSON.stringify({ ttft: ttfts, gaps: series, burst, memory, clearMs, runs: RUNS, series: SERIES, load }),
  );
}, 1_200_000);
