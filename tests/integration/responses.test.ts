import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import {
  expectErrorBody,
  expectResponse,
  expectStreamEvent,
  parseSse,
  responsesValidatingFetch,
} from "../helpers/openai-responses";

let fake: FakeOllama;
let gw: Gateway;
let client: OpenAI;
const failures: string[] = [];

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url });
  client = new OpenAI({
    baseURL: `${gw.url}/v1`,
    apiKey: "unused",
    maxRetries: 0,
    fetch: responsesValidatingFetch(failures),
  });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});
// Every body and stream event the SDK received was validated against the spec as it went by.
afterEach(() => {
  expect(failures.splice(0)).toEqual([]);
  fake.script = () => undefined;
});

const post = (body: unknown) =>
  fetch(`${gw.url}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const MODEL = "ollama/qwen3:8b";

describe("POST /v1/responses with ollama/<model>", () => {
  it("answers responses.create with a string input: a stored Response, one record on /v1/responses", async () => {
    fake.script = () => ({ chunks: ["Hello", " there"], promptEvalCount: 9, evalCount: 2 });
    const { data, response } = await client.responses
      .create({ model: MODEL, input: "hi", instructions: "Be brief.", metadata: { run: "1" } })
      .withResponse();
    expectResponse(data);
    expect(data.output_text).toBe("Hello there");
    expect(data).toMatchObject({
      object: "response",
      status: "completed",
      model: MODEL,
      instructions: "Be brief.",
      metadata: { run: "1" },
      store: true,
      usage: { input_tokens: 9, output_tokens: 2, total_tokens: 11 },
    });
    const requestId = response.headers.get("x-request-id") ?? "";
    expect(data.id).toBe(`resp_${requestId.replace(/^req_/, "")}`);
    expect(fake.chats().at(-1)?.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
    ]);
    const rec = await eventually(() => gw.records().find((r) => r.id === requestId));
    expect(rec).toMatchObject({
      endpoint: "/v1/responses",
      model: MODEL,
      provider: "ollama",
      status: "ok",
      promptTokens: 9,
      completionTokens: 2,
    });
    expect(gw.records().filter((r) => r.id === requestId)).toHaveLength(1);
    // stored: GET returns the same object
    const got = await client.responses.retrieve(data.id);
    expect(got).toEqual(data);
  });

  it("streams typed events with sequence numbers, each validated, the first delta before the upstream ends", async () => {
    fake.script = () => ({ chunks: ["a", "b", "c", "d"], delayMs: 300 });
    const started = Date.now();
    const res = await post({ model: MODEL, input: "count", stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let firstDeltaAt = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (!firstDeltaAt && text.includes("response.output_text.delta")) firstDeltaAt = Date.now();
    }
    const total = Date.now() - started;
    // the upstream sends 5 lines 300 ms apart: the first delta came long before the last
    expect(firstDeltaAt - started).toBeLessThan(total - 600);
    const events = parseSse(text);
    for (const e of events) {
      expectStreamEvent(e.data);
      expect(e.event).toBe(e.data.type);
    }
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.data.type);
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.filter((t) => t === "response.output_text.delta")).toHaveLength(4);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const completed = events.at(-1)?.data.response;
    expectResponse(completed);
    expect(completed.output[0].content[0].text).toBe("abcd");
  });

  it("serves responses.stream from the SDK, whose final response is the completed one", async () => {
    fake.script = () => ({ chunks: ["Str", "eam"] });
    const stream = client.responses.stream({ model: MODEL, input: "go" });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expectResponse(final);
    expect(deltas).toEqual(["Str", "eam"]);
    expect(final.output_text).toBe("Stream");
    expect(final.status).toBe("completed");
  });

  it("continues a stored response with previous_response_id: the upstream gets the earlier turns", async () => {
    fake.script = () => ({ chunks: ["My name is Ada."] });
    const first = await client.responses.create({ model: MODEL, input: "Call yourself Ada.", instructions: "Sys" });
    fake.script = () => ({ chunks: ["Ada."] });
    const second = await client.responses.create({
      model: MODEL,
      input: "What is your name?",
      previous_response_id: first.id,
    });
    expectResponse(second);
    expect(second.previous_response_id).toBe(first.id);
    expect(fake.chats().at(-1)?.messages).toEqual([
      { role: "system", content: "Sys" },
      { role: "user", content: "Call yourself Ada." },
      { role: "assistant", content: "My name is Ada." },
      { role: "user", content: "What is your name?" },
    ]);
    // Continuing the first response again branches: the second turn is not in this history.
    fake.script = () => ({ chunks: ["Branch."] });
    const branch = await client.responses.create({
      model: MODEL,
      input: "Other question",
      previous_response_id: first.id,
    });
    expect(
      fake
        .chats()
        .at(-1)
        ?.messages.map((m: any) => m.content),
    ).toEqual(["Sys", "Call yourself Ada.", "My name is Ada.", "Other question"]);
    // and the branch continues on its own
    await client.responses.create({ model: MODEL, input: "More", previous_response_id: branch.id });
    expect(
      fake
        .chats()
        .at(-1)
        ?.messages.map((m: any) => m.content),
    ).toEqual(["Sys", "Call yourself Ada.", "My name is Ada.", "Other question", "Branch.", "More"]);
    // the chain is one session in the console, named after its first response
    const sessions = gw.query("SELECT id, turnCount FROM Session WHERE id = ?", first.id);
    expect(sessions).toEqual([{ id: first.id, turnCount: 2 }]);
    // a branch whose run fails leaves no session behind
    fake.script = () => ({ httpError: { status: 500, message: "runner crashed" } });
    const failed = await post({ model: MODEL, input: "fails", previous_response_id: first.id });
    expect(failed.status).toBe(502);
    const failedId = `resp_${failed.headers.get("x-request-id")?.slice(4)}`;
    expect(gw.query("SELECT id FROM Session WHERE id = ?", failedId)).toEqual([]);
    const forked = (await post({ model: "ollama/absent", input: "x", previous_response_id: first.id })).headers;
    expect(gw.query("SELECT id FROM Session WHERE id = ?", `resp_${forked.get("x-request-id")?.slice(4)}`)).toEqual([]);
  });

  it("does a function-tool round trip over function_call_output", async () => {
    fake.script = () => ({ toolCalls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }] });
    const tools = [
      {
        type: "function" as const,
        name: "get_weather",
        description: "Weather of a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        strict: false,
      },
    ];
    const first = await client.responses.create({ model: MODEL, input: "Weather in Paris?", tools });
    expectResponse(first);
    const call = first.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(fake.chats().at(-1)?.tools?.[0]).toMatchObject({ type: "function", function: { name: "get_weather" } });
    if (call?.type !== "function_call") throw new Error("no call");
    fake.script = () => ({ chunks: ["It is sunny."] });
    const second = await client.responses.create({
      model: MODEL,
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: '{"sky":"sunny"}' }],
      tools,
    });
    expect(second.output_text).toBe("It is sunny.");
    const sent = fake.chats().at(-1)?.messages;
    expect(sent.at(-2)).toMatchObject({
      role: "assistant",
      tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }],
    });
    expect(sent.at(-1)).toEqual({ role: "tool", content: '{"sky":"sunny"}', tool_name: "get_weather" });
    // the same loop without storage: the client sends the whole conversation back
    const stateless = await client.responses.create({
      model: MODEL,
      store: false,
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: "call_x", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_x", output: "sunny" },
      ],
      tools,
    });
    expect((stateless as unknown as { store: boolean }).store).toBe(false);
    expect(fake.chats().at(-1)?.messages.at(-1)).toEqual({ role: "tool", content: "sunny", tool_name: "get_weather" });
    const missing = await fetch(`${gw.url}/v1/responses/${stateless.id}`);
    expect(missing.status).toBe(404);
  });

  it("deletes a stored response; GET and DELETE then answer 404", async () => {
    const r = await client.responses.create({ model: MODEL, input: "x" });
    const del = await fetch(`${gw.url}/v1/responses/${r.id}`, { method: "DELETE" });
    expect(await del.json()).toEqual({ id: r.id, object: "response.deleted", deleted: true });
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(`${gw.url}/v1/responses/${r.id}`, { method });
      expect(res.status).toBe(404);
      const body = await res.json();
      expectErrorBody(body);
      expect(body.error.code).toBe("response_not_found");
    }
    const put = await fetch(`${gw.url}/v1/responses/${r.id}`, { method: "PUT" });
    expect(put.status).toBe(405);
  });

  it("answers errors with the OpenAI error body and records them", async () => {
    const chainStart = (await client.responses.create({ model: MODEL, input: "start" })).id;
    const cases: [unknown, number, string | null][] = [
      [{ model: "nope", input: "x" }, 404, "model"],
      [{ model: MODEL, input: "x", previous_response_id: "resp_missing" }, 404, "previous_response_id"],
      [{ model: MODEL }, 400, "input"],
      [{ model: MODEL, input: [{ type: "item_reference", id: "x" }] }, 400, "input[0].type"],
      [{ model: "ollama/absent", input: "x" }, 404, "model"],
      // a chain stays on its backend: its session belongs to Ollama
      [{ model: "claude-code", input: "x", previous_response_id: chainStart }, 400, "previous_response_id"],
    ];
    for (const [body, status, param] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const err = await res.json();
      expectErrorBody(err);
      expect(err.error.param).toBe(param);
      const id = res.headers.get("x-request-id");
      const rec = await eventually(() => gw.records().find((r) => r.id === id));
      expect(rec).toMatchObject({ endpoint: "/v1/responses", status: "error", httpStatus: status });
    }
  });

  it("sends a mid-stream failure as response.failed", async () => {
    fake.script = () => ({ chunks: ["one", "two", "three"], midStreamError: { after: 2, message: "boom" } });
    const res = await post({ model: MODEL, input: "x", stream: true });
    const events = parseSse(await res.text());
    for (const e of events) expectStreamEvent(e.data);
    const last = events.at(-1)?.data;
    expect(last.type).toBe("response.failed");
    expect(last.response.status).toBe("failed");
    expect(last.response.error.message).toMatch(/boom/);
    const id = res.headers.get("x-request-id");
    const rec = await eventually(() => gw.records().find((r) => r.id === id));
    expect(rec).toMatchObject({ status: "error", httpStatus: 502, endpoint: "/v1/responses" });
  });

  it("ends with response.incomplete when max_output_tokens cut the answer", async () => {
    fake.script = () => ({ chunks: ["cut"], doneReason: "length" });
    const r = await client.responses.create({ model: MODEL, input: "x", max_output_tokens: 1 });
    expect(r.status).toBe("incomplete");
    expect(r.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(fake.chats().at(-1)?.options.num_predict).toBe(1);
  });

  it("passes text.format json_schema to Ollama as the format", async () => {
    fake.script = () => ({ chunks: ['{"a":1}'] });
    const schema = { type: "object", properties: { a: { type: "number" } } };
    await client.responses.create({
      model: MODEL,
      input: "json",
      text: { format: { type: "json_schema", name: "out", schema } },
    });
    expect(fake.chats().at(-1)?.format).toEqual(schema);
  });

  it("counts the new requests in /v1/usage", async () => {
    const res = await fetch(`${gw.url}/v1/usage`);
    const body = await res.json();
    const rows = Array.isArray(body) ? body : body.data;
    // rows are per model and provider (a request refused before routing has no provider)
    const counted = rows.filter((r: any) => r.model === MODEL).reduce((n: number, r: any) => n + r.requests, 0);
    const records = gw.records().filter((r) => r.model === MODEL);
    expect(counted).toBe(records.length);
    expect(records.length).toBeGreaterThan(10);
    expect(records.every((r) => r.endpoint === "/v1/responses")).toBe(true);
  });

  it("uses X-Session-ID as a session when there is no previous_response_id", async () => {
    const headers = { "x-session-id": `resp-session-${Date.now()}` };
    fake.script = () => ({ chunks: ["one"] });
    await client.responses.create({ model: MODEL, input: "first", store: false }, { headers });
    await client.responses.create({ model: MODEL, input: "second", store: false }, { headers });
    expect(
      fake
        .chats()
        .at(-1)
        ?.messages.map((m: any) => m.content),
    ).toEqual(["first", "one", "second"]);
  });

  it("stops the upstream and records a cancelled request when the client goes away mid-stream", async () => {
    fake.script = () => ({ chunks: ["a", "b", "c", "d", "e", "f"], delayMs: 200 });
    const aborted = fake.aborted;
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, input: "long", stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("response.output_text.delta")) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const id = res.headers.get("x-request-id");
    const rec = await eventually(() => gw.records().find((r) => r.id === id));
    expect(rec).toMatchObject({ status: "cancelled", httpStatus: 499, endpoint: "/v1/responses" });
    await eventually(() => fake.aborted > aborted);
    const stored = await fetch(`${gw.url}/v1/responses/resp_${id?.slice(4)}`);
    expect(stored.status).toBe(404);
  });
});
