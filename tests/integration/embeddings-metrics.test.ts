import OpenAI from "openai";
import parsePrometheus from "parse-prometheus-text-format";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import {
  decodeEmbeddings,
  expectEmbeddings,
  expectErrorBody,
  responsesValidatingFetch,
} from "../helpers/openai-responses";

const KEY = "api-key";
const METRICS_KEY = "scrape-key";
const EMBED = "ollama/nomic-embed-text";

let fake: FakeOllama;
let gw: Gateway;
let client: OpenAI;
const failures: string[] = [];

beforeAll(async () => {
  fake = await startFakeOllama({ models: ["qwen3:8b", "nomic-embed-text:latest"] });
  gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: KEY, METRICS_KEY });
  client = new OpenAI({
    baseURL: `${gw.url}/v1`,
    apiKey: KEY,
    maxRetries: 0,
    fetch: responsesValidatingFetch(failures),
  });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});
afterEach(() => expect(failures.splice(0)).toEqual([]));

const post = (body: unknown) =>
  fetch(`${gw.url}/v1/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify(body),
  });

describe("POST /v1/embeddings", () => {
  it("embeds a string and an array as floats, with usage, and records the tokens", async () => {
    const { data: one, response } = await client.embeddings
      .create({ model: EMBED, input: "hello world", encoding_format: "float" })
      .withResponse();
    expectEmbeddings(one);
    expect(one).toMatchObject({ object: "list", model: EMBED, usage: { prompt_tokens: 2, total_tokens: 2 } });
    expect(one.data).toHaveLength(1);
    expect(one.data[0]?.embedding).toHaveLength(8);
    expect(fake.requests.at(-1)).toMatchObject({ path: "/api/embed", body: { model: "nomic-embed-text" } });
    const many = await client.embeddings.create({ model: EMBED, input: ["a b", "c", "a b"], encoding_format: "float" });
    expect(many.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(many.data[0]?.embedding).toEqual(many.data[2]?.embedding);
    const id = response.headers.get("x-request-id");
    const rec = await eventually(() => gw.records().find((r) => r.id === id));
    expect(rec).toMatchObject({
      endpoint: "/v1/embeddings",
      model: EMBED,
      provider: "ollama",
      upstreamModel: "nomic-embed-text",
      status: "ok",
      promptTokens: 2,
      totalTokens: 2,
    });
  });

  it("answers base64 (little-endian float32) that decodes to the float answer", async () => {
    const floats = await (await post({ model: EMBED, input: "same text", encoding_format: "float" })).json();
    const res = await post({ model: EMBED, input: "same text", encoding_format: "base64" });
    const b64 = await res.json();
    expectEmbeddings(decodeEmbeddings(b64));
    expect(typeof b64.data[0].embedding).toBe("string");
    const bytes = Buffer.from(b64.data[0].embedding, "base64");
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    for (const [i, v] of (floats.data[0].embedding as number[]).entries()) expect(decoded[i]).toBeCloseTo(v, 6);
    // the SDK asks for base64 by default and decodes it itself
    const sdk = await client.embeddings.create({ model: EMBED, input: "same text" });
    for (const [i, v] of (sdk.data[0]?.embedding ?? []).entries())
      expect(v).toBeCloseTo(floats.data[0].embedding[i], 6);
    expect(sdk.data[0]?.embedding).toHaveLength(8);
  });

  it("honours dimensions Ollama can give, and answers 400 for those it cannot", async () => {
    const small = await client.embeddings.create({ model: EMBED, input: "x", dimensions: 4, encoding_format: "float" });
    expect(small.data[0]?.embedding).toHaveLength(4);
    const res = await post({ model: EMBED, input: "x", dimensions: 16 });
    expect(res.status).toBe(400);
    const body = await res.json();
    expectErrorBody(body);
    expect(body.error).toMatchObject({ param: "dimensions", code: "invalid_value" });
    expect(body.error.message).toMatch(/returns 8 dimensions/);
  });

  it("answers 404 model_not_found for Claude Code models, with a clear message", async () => {
    for (const model of ["claude-code", "sonnet"]) {
      const res = await post({ model, input: "x" });
      expect(res.status).toBe(404);
      const body = await res.json();
      expectErrorBody(body);
      expect(body.error).toMatchObject({ code: "model_not_found", param: "model" });
      expect(body.error.message).toMatch(/Claude Code chat model and has no embeddings.*ollama\//);
    }
    expect((await post({ model: "ollama/absent", input: "x" })).status).toBe(404);
  });

  it("refuses token arrays and empty input with 400, and needs the key", async () => {
    for (const input of [[1, 2, 3], [[1, 2]], "", []]) {
      const res = await post({ model: EMBED, input });
      expect(res.status, JSON.stringify(input)).toBe(400);
      expect((await res.json()).error.param).toMatch(/^input/);
    }
    const anon = await fetch(`${gw.url}/v1/embeddings`, { method: "POST", body: "{}" });
    expect(anon.status).toBe(401);
  });
});

describe("GET /metrics", () => {
  const scrape = (key?: string) =>
    fetch(`${gw.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it("needs METRICS_KEY when it is set (the API key is not enough)", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape(KEY)).status).toBe(401);
    expect((await scrape(METRICS_KEY)).status).toBe(200);
  });

  it("parses as Prometheus text: requests by model, latency and TTFT histograms, tokens, gauges, process metrics", async () => {
    fake.script = () => ({ chunks: ["hi"], promptEvalCount: 5, evalCount: 1 });
    const chat = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] }),
    });
    expect(chat.status).toBe(200);
    const res = await scrape(METRICS_KEY);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    const families = parsePrometheus(text);
    const family = (name: string) => {
      const f = families.find((x) => x.name === name);
      if (!f) throw new Error(`no ${name}`);
      return f;
    };
    const requests = family("ccbridge_requests_total");
    expect(requests.type).toBe("COUNTER");
    const chatSeries = requests.metrics.find(
      (m: any) => m.labels?.model === "ollama/qwen3:8b" && m.labels?.endpoint === "/v1/chat/completions",
    );
    expect(chatSeries).toMatchObject({ labels: { provider: "ollama", status: "ok", code: "200" }, value: "1" });
    const embedOk = requests.metrics.find((m: any) => m.labels?.model === EMBED && m.labels?.status === "ok");
    expect(Number(embedOk.value)).toBeGreaterThanOrEqual(4);
    expect(requests.metrics.some((m: any) => m.labels?.model === "claude-code" && m.labels?.code === "404")).toBe(true);

    const duration = family("ccbridge_request_duration_seconds");
    expect(duration.type).toBe("HISTOGRAM");
    expect(Object.keys(duration.metrics[0].buckets)).toContain("+Inf");
    expect(family("ccbridge_time_to_first_token_seconds").type).toBe("HISTOGRAM");
    // the histograms are labelled by model too (the parser above merges labelled buckets, so read the lines)
    expect(text).toMatch(
      /^ccbridge_request_duration_seconds_count\{endpoint="\/v1\/chat\/completions",model="ollama\/qwen3:8b",provider="ollama"\} 1$/m,
    );
    expect(text).toMatch(
      /^ccbridge_time_to_first_token_seconds_bucket\{le="\+Inf",endpoint="\/v1\/chat\/completions",model="ollama\/qwen3:8b",provider="ollama"\} 1$/m,
    );

    const tokens = family("ccbridge_tokens_total").metrics.filter((m: any) => m.labels.model === "ollama/qwen3:8b");
    expect(Object.fromEntries(tokens.map((m: any) => [m.labels.direction, m.value]))).toEqual({
      input: "5",
      output: "1",
    });
    const inFlight = family("ccbridge_requests_in_flight").metrics;
    expect(inFlight.find((m: any) => m.labels.endpoint === "/v1/chat/completions")?.value).toBe("0");
    expect(family("ccbridge_claude_queue_length").metrics[0].value).toBe("0");
    const processes = family("ccbridge_claude_processes").metrics.map((m: any) => m.labels.state);
    expect(processes.sort()).toEqual(["idle", "reusable", "running", "spare", "waiting"]);
    expect(family("ccbridge_claude_process_queue_length").metrics[0].value).toBe("0");
    expect(family("ccbridge_claude_process_wait_seconds").type).toBe("HISTOGRAM");
    expect(family("ccbridge_record_write_failures_total").metrics[0].value).toBe("0");
    expect(Number(family("process_resident_memory_bytes").metrics[0].value)).toBeGreaterThan(0);
    expect(family("nodejs_eventloop_lag_seconds").type).toBe("GAUGE");
  });
});
