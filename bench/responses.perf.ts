// Gateway overhead of each endpoint on the same fake Ollama answer: POST /v1/chat/completions vs
// POST /v1/responses (JSON and streamed, stored or not), POST /v1/embeddings, GET /metrics.
// Sequential requests, median and p95 of the client-side time; prints a Markdown table.
import { afterAll, beforeAll, expect, test } from "vitest";
import { type FakeOllama, startFakeOllama } from "../tests/fakes/ollama";
import { type Gateway, startGateway } from "../tests/helpers/gateway";

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ["qwen3:8b", "nomic-embed-text:latest"] });
  fake.script = () => ({ chunks: ["Hello", " there", ", how", " are", " you?"] });
  gw = await startGateway({ OLLAMA_URL: fake.url, LOG_REQUESTS: "false" });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

const rank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0;

async function time(name: string, call: () => Promise<Response>) {
  for (let i = 0; i < 10; i++) await (await call()).arrayBuffer(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const res = await call();
    await res.arrayBuffer();
    ms.push(performance.now() - t);
    expect(res.status).toBe(200);
  }
  ms.sort((a, b) => a - b);
  return `| ${name} | ${rank(ms, 50).toFixed(1)} | ${rank(ms, 95).toFixed(1)} |`;
}

const post = (path: string, body: unknown) => () =>
  fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

test("endpoint overhead", async () => {
  const model = "ollama/qwen3:8b";
  const messages = [{ role: "user", content: "Hi" }];
  const rows = [
    await time("chat completions, JSON", post("/v1/chat/completions", { model, messages })),
    await time("chat completions, stream", post("/v1/chat/completions", { model, messages, stream: true })),
    await time("responses, JSON, store: false", post("/v1/responses", { model, input: "Hi", store: false })),
    await time("responses, JSON, stored (session + response rows)", post("/v1/responses", { model, input: "Hi" })),
    await time(
      "responses, stream, store: false",
      post("/v1/responses", { model, input: "Hi", stream: true, store: false }),
    ),
    await time("embeddings, 1 input", post("/v1/embeddings", { model: "ollama/nomic-embed-text", input: "Hi" })),
    await time("GET /metrics", () => fetch(`${gw.url}/metrics`)),
  ];
  console.log(
    [
      "",
      `${RUNS} sequential requests each, fake Ollama on loopback (ms)`,
      "| endpoint | median | p95 |",
      "| --- | --- | --- |",
      ...rows,
    ].join("\n"),
  );
});
