/** Anthropic's Messages API on an Ollama model, driven by the real `@anthropic-ai/sdk`. */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { anthropicClient, expectEventSequence, expectMessage, rawEvents } from "../helpers/anthropic";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { ADMIN, type Created, createKey } from "./keys-client";

let fake: FakeOllama;
let gw: Gateway;
let key: Created;
const MODEL = "ollama/qwen3:8b";
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({
    OLLAMA_URL: fake.url,
    CLAUDE_AUTH_KEY: ADMIN,
    STREAM_PING_MS: "150",
    MAX_BODY_BYTES: "200000",
  });
  key = await createKey(gw, { name: "anthropic sdk" });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

const lastChat = () => fake.chats().at(-1);

describe("messages.create and messages.stream on Ollama", () => {
  it("answers a message with usage, and records it under the key with endpoint /v1/messages", async () => {
    const client = anthropicClient(gw, key.key);
    const raw = await client.messages
      .create({ model: MODEL, max_tokens: 100, system: "Be brief.", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    const m = raw.data;
    expectMessage(m);
    expect(m.content).toEqual([{ type: "text", text: "Echo: hi" }]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.model).toBe(MODEL);
    expect(m.usage.output_tokens).toBeGreaterThan(0);
    expect(raw.response.headers.get("request-id")).toMatch(/^req_/);
    const sent = lastChat();
    expect(sent.messages[0]).toMatchObject({ role: "system", content: "Be brief." });
    expect(sent.options.num_predict).toBe(100);
    const rec = await eventually(() => gw.records().find((r) => r.id === raw.response.headers.get("request-id")));
    expect(rec).toMatchObject({ keyId: key.id, endpoint: "/v1/messages", model: MODEL, status: "ok" });
  });

  it("streams token by token in Anthropic's event sequence; finalMessage() holds the whole answer", async () => {
    fake.script = () => ({ chunks: ["Hel", "lo ", "there"], thinking: ["Let me ", "think."] });
    const stream = anthropicClient(gw, key.key).messages.stream({
      model: MODEL,
      max_tokens: 200,
      thinking: { type: "enabled", budget_tokens: 100 },
      messages: [{ role: "user", content: "hello" }],
    });
    const events: any[] = [];
    stream.on("streamEvent", (e) => events.push(e));
    const final = await stream.finalMessage();
    fake.script = () => undefined;
    expectEventSequence(events);
    expectMessage(final);
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect((final.content[0] as any).thinking).toBe("Let me think.");
    expect((final.content[1] as any).text).toBe("Hello there");
    expect(events.filter((e) => e.delta?.type === "text_delta").map((e) => e.delta.text)).toEqual([
      "Hel",
      "lo ",
      "there",
    ]);
    expect(events.some((e) => e.delta?.type === "signature_delta")).toBe(true);
    expect(lastChat().think).toBe(true);
  });

  it("a thinking block sent back (with its signature) is accepted; thinking disabled turns Ollama's off", async () => {
    const client = anthropicClient(gw, key.key);
    const m = await client.messages.create({
      model: MODEL,
      max_tokens: 50,
      thinking: { type: "disabled" },
      messages: [
        { role: "user", content: "q1" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "earlier thought", signature: "ccb1.whatever" },
            { type: "text", text: "a1" },
          ],
        },
        { role: "user", content: "q2" },
      ],
    });
    expectMessage(m);
    const sent = lastChat();
    expect(sent.think).toBe(false);
    expect(sent.messages[1]).toMatchObject({ role: "assistant", content: "a1", thinking: "earlier thought" });
  });

  it("a tool round trip: tool_use, then tool_result, then the answer", async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "Weather in a city",
        input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    ];
    fake.script = (body) =>
      body.messages.some((m: any) => m.role === "tool")
        ? { chunks: ["It is sunny."] }
        : { toolCalls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }] };
    const client = anthropicClient(gw, key.key);
    const first = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools,
      messages: [{ role: "user", content: "weather in Paris?" }],
    });
    expectMessage(first);
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
    expect(use).toMatchObject({ name: "get_weather", input: { city: "Paris" } });
    expect(lastChat().tools[0].function).toMatchObject({ name: "get_weather", parameters: tools[0]!.input_schema });

    const events: any[] = [];
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      tools,
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "22 C, clear" }] },
      ],
    });
    stream.on("streamEvent", (e) => events.push(e));
    const second = await stream.finalMessage();
    fake.script = () => undefined;
    expectEventSequence(events);
    expect(second.content).toEqual([{ type: "text", text: "It is sunny." }]);
    const sent = lastChat().messages;
    expect(sent.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ function: { name: "get_weather" } }] });
    expect(sent.at(-1)).toMatchObject({ role: "tool", content: "22 C, clear", tool_name: "get_weather" });
  });

  it("streams a tool call as tool_use with input_json_delta", async () => {
    fake.script = () => ({ toolCalls: [{ function: { name: "lookup", arguments: { q: "x" } } }] });
    const { status, events } = await rawEvents(gw, key.key, {
      model: MODEL,
      max_tokens: 50,
      stream: true,
      tools: [{ name: "lookup", input_schema: { type: "object" } }],
      messages: [{ role: "user", content: "look it up" }],
    });
    fake.script = () => undefined;
    expect(status).toBe(200);
    expectEventSequence(events);
    const start = events.find((e) => e.type === "content_block_start");
    expect(start.content_block).toMatchObject({ type: "tool_use", name: "lookup", input: {} });
    const json = events
      .filter((e) => e.delta?.type === "input_json_delta")
      .map((e) => e.delta.partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ q: "x" });
    expect(events.find((e) => e.type === "message_delta").delta.stop_reason).toBe("tool_use");
  });

  it("takes an image (base64) and refuses an image URL with 400", async () => {
    const client = anthropicClient(gw, key.key);
    await client.messages.create({
      model: MODEL,
      max_tokens: 20,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            { type: "text", text: "what is it?" },
          ],
        },
      ],
    });
    expect(lastChat().messages.at(-1).images).toEqual([PNG]);
    const bad = await client.messages
      .create({
        model: MODEL,
        max_tokens: 20,
        messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "http://x/y.png" } }] }],
      })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect(bad.error.error.type).toBe("invalid_request_error");
    expect(bad.error.error.message).toContain("base64");
  });

  it("sends pings while the upstream is silent", async () => {
    fake.script = () => ({ chunks: ["slow", " answer"], delayMs: 700 });
    const { events } = await rawEvents(gw, key.key, {
      model: MODEL,
      max_tokens: 20,
      stream: true,
      messages: [{ role: "user", content: "take your time" }],
    });
    fake.script = () => undefined;
    expectEventSequence(events);
    expect(events.filter((e) => e.type === "ping").length).toBeGreaterThanOrEqual(2);
  });
});

describe("errors as the Anthropic SDK's classes", () => {
  it("AuthenticationError, NotFoundError, BadRequestError, PermissionDeniedError, each recorded", async () => {
    const wrong = await anthropicClient(gw, "ccb-wrong")
      .messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(wrong.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(wrong.headers.get("request-id")).toMatch(/^req_/);

    const client = anthropicClient(gw, key.key);
    const unknown = await client.messages
      .create({ model: "gpt-nothing", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknown.error.error.type).toBe("not_found_error");

    const noMax = await client.messages
      .create({ model: MODEL, messages: [{ role: "user", content: "x" }] } as any)
      .catch((e) => e);
    expect(noMax).toBeInstanceOf(Anthropic.BadRequestError);
    expect(noMax.error.error.message).toBe("max_tokens: Field required");

    const other = await createKey(gw, { name: "other" });
    const sid = `anthropic-session-${Date.now()}`;
    await anthropicClient(gw, key.key, { "x-session-id": sid }).messages.create({
      model: MODEL,
      max_tokens: 5,
      messages: [{ role: "user", content: "mine" }],
    });
    const stolen = await anthropicClient(gw, other.key, { "x-session-id": sid })
      .messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "theirs" }] })
      .catch((e) => e);
    expect(stolen).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(stolen.error.error.type).toBe("permission_error");

    for (const e of [wrong, unknown, noMax, stolen]) {
      const id = e.headers.get("request-id");
      const rec = await eventually(() => gw.records().find((r) => r.id === id));
      expect(rec).toMatchObject({ endpoint: "/v1/messages", status: "error", httpStatus: e.status });
    }
  });

  it("RateLimitError with its retry-after; a model outside the key's list is a PermissionDeniedError", async () => {
    const limited = await createKey(gw, { name: "rpm 1", rpm_limit: 1, allowed_models: ["ollama/*"] });
    const client = anthropicClient(gw, limited.key);
    await client.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "one" }] });
    const second = await client.messages
      .create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "two" }] })
      .catch((e) => e);
    expect(second).toBeInstanceOf(Anthropic.RateLimitError);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(second.error.error.type).toBe("rate_limit_error");
    const claude = await anthropicClient(
      gw,
      (await createKey(gw, { name: "ollama only", allowed_models: ["ollama/*"] })).key,
    )
      .messages.create({ model: "claude-code", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(claude).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });

  it("a body over MAX_BODY_BYTES is 413 request_too_large; a wrong method is 405, both in Anthropic's shape", async () => {
    const client = anthropicClient(gw, key.key);
    const big = await client.messages
      .create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "x".repeat(300_000) }] })
      .catch((e) => e);
    expect(big).toBeInstanceOf(Anthropic.APIError);
    expect(big.status).toBe(413);
    expect(big.error).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    // The unread body was discarded: the client's kept-open connection serves its next request.
    const next = await client.messages.create({
      model: MODEL,
      max_tokens: 5,
      messages: [{ role: "user", content: "y" }],
    });
    expectMessage(next);
    const get = await fetch(`${gw.url}/v1/messages`, { headers: { "x-api-key": key.key } });
    expect(get.status).toBe(405);
    expect(get.headers.get("request-id")).toMatch(/^req_/);
    expect(await get.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("a model that cannot call tools is a BadRequestError saying so", async () => {
    fake.script = () => ({ httpError: { status: 400, message: "qwen3:8b does not support tools" } });
    const e = await anthropicClient(gw, key.key)
      .messages.create({
        model: MODEL,
        max_tokens: 5,
        tools: [{ name: "t", input_schema: { type: "object" } }],
        messages: [{ role: "user", content: "x" }],
      })
      .catch((x) => x);
    fake.script = () => undefined;
    expect(e).toBeInstanceOf(Anthropic.BadRequestError);
    expect(e.error.error.message).toMatch(/does not support tools/);
  });

  it("countTokens is a NotFoundError (never an estimate presented as a count); Bearer auth works too", async () => {
    const counted = await anthropicClient(gw, key.key)
      .messages.countTokens({ model: MODEL, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(counted).toBeInstanceOf(Anthropic.NotFoundError);
    expect(counted.error.error.type).toBe("not_found_error");
    const bearer = new Anthropic({ baseURL: gw.url, authToken: key.key, apiKey: null, maxRetries: 0 });
    const m = await bearer.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "b" }] });
    expectMessage(m);
  });
});
