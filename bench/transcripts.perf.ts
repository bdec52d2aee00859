/**
 * What mirroring a session's Claude Code transcript to the database costs a warm session's turn
 * (driven by bench/transcripts.mjs): two gateways side by side, one with CLAUDE_TRANSCRIPTS=database
 * (the default: the Agent SDK's sessionStore writes each turn's entries to SQLite), one with
 * CLAUDE_TRANSCRIPTS=local (Claude Code's own files only). Each holds one session on its warm process;
 * their turns alternate, so both see the same machine. Time to first token and to the end of the
 * answer, streamed, against the tests' fake Anthropic API (which answers at once).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "vitest";
import { startFakeAnthropic } from "../tests/fakes/anthropic";
import { type Gateway, startGateway } from "../tests/helpers/gateway";
import { streamTurn } from "./claude-turn";

const root = path.resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const BIN = path.join(
  root,
  "node_modules",
  `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`,
  "claude",
);

/** A streamed turn of a session: ms to the first content delta and to the end. */
const turn = (gw: Gateway, session: string, text: string) =>
  streamTurn(gw, { headers: { "x-session-id": session }, text });

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil(p * xs.length) - 1] ?? Number.NaN;

test("transcript mirroring on a warm session's turn", async () => {
  const fake = await startFakeAnthropic();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-bench-transcripts-"));
  const sub = (n: string) => {
    fs.mkdirSync(path.join(dir, n), { recursive: true });
    return path.join(dir, n);
  };
  const open: Gateway[] = [];
  const gateway = async (mode: "database" | "local") => {
    const db = path.join(dir, `${mode}.db`);
    fs.copyFileSync(process.env.BENCH_DB!, db);
    const gw = await startGateway(
      {
        CLAUDE_BIN: BIN,
        CLAUDE_WORKDIR: sub(`${mode}-work`),
        CLAUDE_CONFIG_DIR: sub(`${mode}-config`),
        HOME: sub(`${mode}-home`),
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: "sk-bench",
        DISABLE_TELEMETRY: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        LOG_REQUESTS: "false",
        CLAUDE_SPARES: "0",
        CLAUDE_TRANSCRIPTS: mode,
      },
      db,
    );
    open.push(gw);
    return gw;
  };
  try {
    const gws = { database: await gateway("database"), local: await gateway("local") };
    const out: Record<string, { ttft: number[]; total: number[] }> = {
      database: { ttft: [], total: [] },
      local: { ttft: [], total: [] },
    };
    for (const mode of ["database", "local"] as const) {
      for (let i = 0; i < 3; i++) await turn(gws[mode], `bench-${mode}`, `warm-up ${i}`); // the warm process
    }
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 ? (["local", "database"] as const) : (["database", "local"] as const);
      for (const mode of order) {
        const r = await turn(gws[mode], `bench-${mode}`, `turn ${i} of a session on a warm process`);
        out[mode]!.ttft.push(r.ttft);
        out[mode]!.total.push(r.total);
      }
    }
    const entries = gws.database.query("SELECT COUNT(*) AS n FROM TranscriptEntry")[0].n as number;
    const stats = Object.fromEntries(
      Object.entries(out).map(([k, v]) => [
        k,
        {
          ttft50: pct(v.ttft, 0.5),
          ttft95: pct(v.ttft, 0.95),
          total50: pct(v.total, 0.5),
          total95: pct(v.total, 0.95),
        },
      ]),
    );
    fs.writeFileSync(process.env.BENCH_OUT!, JSON.stringify({ runs: RUNS, stats, entries, load: os.loadavg() }));
  } finally {
    await Promise.all(open.map((g) => g.stop()));
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);
