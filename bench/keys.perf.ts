// What an API key costs per request: the same non-streamed chat against the fake Ollama with the
// admin key, a key without limits, and a key with rpm + tpm + a budget (each of which reads the
// database before the upstream call). Prints p50/p95 per case; run with
//   npx vitest run --config bench/keys.vitest.config.ts
import { afterAll, beforeAll, expect, test } from "vitest";
import { type FakeOllama, startFakeOllama } from "../tests/fakes/ollama";
import { type Gateway, startGateway } from "../tests/helpers/gateway";
import { ADMIN, createKey } from "../tests/integration/keys-client";

const N = Number(process.env.BENCH_N ?? 400);
let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: ADMIN, LOG_REQUESTS: "false" });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

const body = JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "hi" }] });

async function timeCase(key: string): Promise<{ p50: number; p95: number }> {
  const one = async () => {
    const t = performance.now();
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body,
    });
    await r.text();
    expect(r.status).toBe(200);
    return performance.now() - t;
  };
  for (let i = 0; i < 50; i++) await one(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < N; i++) times.push(await one());
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((times.length * p) / 100))] ?? 0;
  return { p50: at(50), p95: at(95) };
}

test("per-request cost of API keys", async () => {
  const plain = await createKey(gw, { name: "no limits" });
  const limited = await createKey(gw, {
    name: "all limits",
    rpm_limit: 1_000_000,
    tpm_limit: 2_000_000_000,
    max_budget_tokens: 2_000_000_000,
    max_budget_usd: 1_000_000,
    budget_duration: "1d",
  });
  const rows: string[] = [];
  for (const [name, key] of [
    ["admin key", ADMIN],
    ["key, no limits", plain.key],
    ["key, rpm+tpm+budget", limited.key],
    ["admin key (again)", ADMIN],
  ] as const) {
    const r = await timeCase(key);
    rows.push(`| ${name} | ${r.p50.toFixed(2)} ms | ${r.p95.toFixed(2)} ms |`);
  }
  console.log(`\n| case (${N} sequential requests) | p50 | p95 |\n| --- | --- | --- |\n${rows.join("\n")}\n`);
});
