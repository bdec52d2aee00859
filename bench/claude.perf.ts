/**
 * Claude Code start-up cost, side by side in one run (driven by bench/claude.mjs): time to first
 * token of a cold `claude -p` (the real CLI, started for one prompt), and through the gateway of a
 * stateless request and a session's first turn served by a ready spare, a session's later turn on
 * its warm process, and a request on a new process (no spare, no warm process). The upstream is
 * the fake Anthropic API of the tests, which answers at once. Also the resident memory of an idle
 * and of a spare process.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "vitest";
import { startFakeAnthropic } from "../tests/fakes/anthropic";
import { type Gateway, startGateway } from "../tests/helpers/gateway";

const root = path.resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
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
async function ttft(gw: Gateway, headers: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "claude-code", messages: [{ role: "user", content: "hi" }], stream: true }),
  });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let first = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    if (first < 0 && /"content":"[^"]/.test(buf)) first = performance.now() - t0;
  }
  if (first < 0) throw new Error(`no content: ${buf.slice(0, 300)}`);
  return first;
}

const health = async (gw: Gateway) => ((await (await fetch(`${gw.url}/health`)).json()) as any).claude.processes;
async function until(check: () => Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

test("claude start-up", async () => {
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
  const db = (name: string) => {
    const p = path.join(dir, `${name}.db`);
    fs.copyFileSync(process.env.BENCH_DB!, p);
    return p;
  };
  const pooled = await startGateway({ ...env, CLAUDE_SPARES: "1", CLAUDE_WARM_SESSIONS: "4" }, db("pooled"));
  const bare = await startGateway({ ...env, CLAUDE_SPARES: "0", CLAUDE_WARM_SESSIONS: "0" }, db("bare"));
  const rows: Record<string, number[]> = { cold: [], coldGateway: [], spare: [], spareSession: [], warm: [] };
  const memory = { idle: 0, spare: 0 };
  try {
    const spareReady = () => until(async () => (await health(pooled)).spare === 1);
    await ttft(bare); // first calls load the routes
    await spareReady();
    await ttft(pooled);
    for (let i = 0; i < RUNS; i++) {
      rows.cold!.push(await coldCli({ ...process.env, ...env }, env.CLAUDE_WORKDIR));
      rows.coldGateway!.push(await ttft(bare));
      await spareReady();
      rows.spare!.push(await ttft(pooled));
      await spareReady();
      const sid = `bench-${i}-${Date.now()}`;
      rows.spareSession!.push(await ttft(pooled, { "x-session-id": sid }));
      rows.warm!.push(await ttft(pooled, { "x-session-id": sid }));
    }
    await spareReady();
    const h = await health(pooled);
    memory.idle = h.idle ? h.rssBytes.idle / h.idle : 0;
    memory.spare = h.spare ? h.rssBytes.spare / h.spare : 0;
  } finally {
    await pooled.stop();
    await bare.stop();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const out = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, { median: median(v), runs: v }]));
  fs.writeFileSync(process.env.BENCH_OUT!, JSON.stringify({ ttft: out, memory, runs: RUNS }));
}, 600_000);
