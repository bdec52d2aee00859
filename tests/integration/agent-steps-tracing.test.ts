/**
 * Issue 25 without Claude Code: an Ollama run's steps (its model call and the tool call it asked for)
 * under STORE_CONTENT=false (no inputs kept), traces in OTLP http/protobuf to a real receiver (with the
 * collector's headers, and the content the operator opted in to), and a
 * collector that never answers: requests are served as usual, the bounded queue drops spans and
 * /metrics counts them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { type Gateway, startGateway } from "../helpers/gateway";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp";

let ollama: FakeOllama;
let otlp: OtlpReceiver;
let silent: OtlpReceiver;
let gw: Gateway;
let stuck: Gateway;

beforeAll(async () => {
  ollama = await startFakeOllama();
  ollama.script = (body) =>
    body.tools?.length
      ? { toolCalls: [{ function: { name: "get_weather", arguments: { city: "SECRET-CITY" } } }], promptEvalCount: 9 }
      : { chunks: ["fine"] };
  [otlp, silent] = await Promise.all([startOtlpReceiver(), startOtlpReceiver({ hang: true })]);
  const common = { OLLAMA_URL: ollama.url, OTEL_BSP_SCHEDULE_DELAY: "20" };
  [gw, stuck] = await Promise.all([
    startGateway({
      ...common,
      STORE_CONTENT: "false",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_HEADERS: "x-collector-key=k%201",
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "true",
    }),
    startGateway({
      ...common,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${silent.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      OTEL_BSP_MAX_QUEUE_SIZE: "4",
      OTEL_EXPORTER_OTLP_TIMEOUT: "200",
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([gw?.stop(), stuck?.stop()]);
  await Promise.all([ollama?.close(), otlp?.close(), silent?.close()]);
});

const weather = (url: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "ollama/qwen3:8b",
      messages: [{ role: "user", content: "weather?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
    }),
  });

const trpc = async (url: string, proc: string, input: unknown) =>
  (
    (await (
      await fetch(`${url}/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
    ).json()) as any
  ).result.data.json;

describe("an Ollama run's steps, STORE_CONTENT=false, OTLP http/protobuf", () => {
  it("records the model call and the tool call it asked for, with no input kept", async () => {
    const res = await weather(gw.url);
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id");
    const d = await trpc(gw.url, "requests.detail", { id });
    expect(d.content).toBeNull();
    expect(d.steps.map((s: any) => [s.kind, s.tool, s.model, s.summary, s.path, s.outcome])).toEqual([
      ["model", null, "qwen3:8b", null, null, "ok"],
      ["tool", "get_weather", null, null, null, null],
    ]);
    expect(d.steps[0].inputTokens).toBe(9);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('ccbridge_tool_calls_total{provider="ollama",tool="get_weather",outcome="none"} 1');
  });

  it("exports the trace as protobuf with the collector's headers; the opted-in content is on the spans, not in the database", async () => {
    await expect
      .poll(() => otlp.posts.filter((p) => p.type === "application/x-protobuf").length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const post = otlp.posts.find((p) => p.type === "application/x-protobuf")!;
    expect(post.path).toBe("/v1/traces");
    expect(post.headers["x-collector-key"]).toBe("k 1");
    const bytes = post.body.toString("latin1");
    for (const s of [
      "POST /v1/chat/completions",
      "chat qwen3:8b",
      "execute_tool get_weather",
      "gen_ai.provider.name",
      "ollama",
      "cc-bridge",
    ])
      expect(bytes).toContain(s);
    // OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: the prompt and the tool's input summary are on
    // the spans, while STORE_CONTENT=false kept neither in the database (the test above).
    expect(bytes).toContain("gen_ai.input.messages");
    expect(bytes).toContain("weather?");
    expect(bytes).toContain("gen_ai.tool.call.arguments");
    expect(bytes).toContain("SECRET-CITY");
  });
});

describe("a collector that never answers", () => {
  it("slows no request; the bounded queue drops spans and /metrics counts them", async () => {
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      const res = await weather(stuck.url);
      expect(res.status).toBe(200);
      await res.text();
      times.push(performance.now() - t);
    }
    // Requests answer as fast as ever (the fake answers at once): far below the export timeout.
    expect(Math.max(...times.slice(1))).toBeLessThan(1_000);
    await expect
      .poll(
        async () =>
          Number(
            /ccbridge_trace_spans_dropped_total (\d+)/.exec(await (await fetch(`${stuck.url}/metrics`)).text())?.[1],
          ),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThan(0);
    // The exports did reach it, and got no answer.
    await expect.poll(() => silent.posts.length, { timeout: 5_000 }).toBeGreaterThan(0);
  });
});

describe("a gateway told to stop", () => {
  it("sends the spans still queued while it closes", async () => {
    const late = await startGateway({
      OLLAMA_URL: ollama.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "600000",
    });
    const res = await weather(late.url);
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id");
    await new Promise((r) => setTimeout(r, 300));
    expect(otlp.spans.some((s) => s.attributes["cc_bridge.request.id"] === id)).toBe(false);
    await late.stop();
    await otlp.waitFor((s) => s.attributes["cc_bridge.request.id"] === id, 5_000);
  });
});
