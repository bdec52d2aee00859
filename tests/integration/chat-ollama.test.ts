import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, lastUserText, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { expectChunk, expectCompletion, validatingFetch } from "../helpers/schema";

let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});
// Every body the SDK clients and `post` received (completions, each chunk, error events and bodies)
// was validated against the OpenAI spec as it went by.
afterEach(() => {
  expect(gw.schema.failures).toEqual([]);
  fake.script = () => undefined;
});

/** A raw POST /v1/chat/completions whose answer is validated like the SDK's. */
const post = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  validatingFetch(gw.schema)(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal,
  });

/** The data events of an SSE body. */
const sseData = (text: string) =>
  text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => e.replace(/^data: /, ""));

const user = (content: string) => [{ role: "user" as const, content }];

describe("POST /v1/chat/completions with ollama/<model>", () => {
  it("answers a non-streaming request in the OpenAI shape, with usage and one ok record", async () => {
    fake.script = () => ({ chunks: ["Hello", " there", "!"], promptEvalCount: 12, evalCount: 3 });
    const { data, response } = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: user("hi") })
      .withResponse();
    expectCompletion(data);
    expect(data.choices[0]?.message.content).toBe("Hello there!");
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.model).toBe("ollama/qwen3:8b");
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^req_/);
    expect(data.id).toBe(`chatcmpl-${id}`);
    expect(fake.chats().at(-1)).toMatchObject({ model: "qwen3:8b", messages: [{ role: "user", content: "hi" }] });
    const rec = await eventually(() => gw.records().find((r) => r.id === id));
    expect(rec).toMatchObject({
      model: "ollama/qwen3:8b",
      provider: "ollama",
      upstreamModel: "qwen3:8b",
      status: "ok",
      httpStatus: 200,
      stream: 0,
      promptTokens: 12,
      completionTokens: 3,
      totalTokens: 15,
      finishReason: "stop",
    });
    expect(rec.ttftMs).toBeGreaterThanOrEqual(0);
    const [content] = gw.query("SELECT prompt, answer FROM RequestContent WHERE requestId = ?", id);
    expect(JSON.parse(content.prompt)).toEqual([{ role: "user", content: "hi" }]);
    expect(content.answer).toBe("Hello there!");
    expect(rec.durationMs).toBeGreaterThanOrEqual(rec.ttftMs);
  });

  it("streams chunks that share id and created, role first, finish then usage, then [DONE]", async () => {
    fake.script = () => ({ chunks: ["One", " two", " three"], promptEvalCount: 7, evalCount: 3 });
    const stream = await gw.openai().chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("count"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    for (const c of chunks) expectChunk(c);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("One two three");
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    const fin = chunks.at(-2);
    expect(fin?.choices[0]?.finish_reason).toBe("stop");
    expect(fin?.choices[0]?.delta).toEqual({});
  });

  it("sends data: [DONE] last and proper SSE headers (raw HTTP)", async () => {
    fake.script = () => ({ chunks: ["a", "b"] });
    const checked = gw.schema.checked;
    const res = await post(
      { model: "ollama/qwen3:8b", messages: user("x"), stream: true },
      { "accept-encoding": "gzip" },
    );
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("cache-control")).toContain("no-transform");
    expect(res.headers.get("content-encoding")).toBeNull();
    const body = await res.text();
    const events = body.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    expect(events.every((e) => e.startsWith("data: "))).toBe(true);
    expect(body).not.toContain('"usage"'); // include_usage not asked
    expect(gw.schema.checked - checked).toBe(events.length - 1); // every chunk but [DONE]
  });

  it("forwards the first delta while the upstream is still producing", async () => {
    fake.script = () => ({ chunks: ["first", " second", " third", " fourth"], delayMs: 400 });
    const completedBefore = fake.completed;
    const stream = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: user("slow"), stream: true });
    let sawFirstWhileRunning = false;
    let text = "";
    for await (const c of stream) {
      const d = c.choices[0]?.delta.content;
      if (d && !text) sawFirstWhileRunning = fake.completed === completedBefore;
      text += d ?? "";
    }
    expect(sawFirstWhileRunning).toBe(true);
    expect(text).toBe("first second third fourth");
    expect(fake.completed).toBe(completedBefore + 1);
  });

  it("maps sampling options, stop, seed and response formats to Ollama's request", async () => {
    fake.script = () => ({ chunks: ['{"a":1}'] });
    await gw.openai().chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "json please" },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 50,
      stop: "END",
      seed: 42,
      response_format: { type: "json_object" },
    });
    expect(fake.chats().at(-1)).toMatchObject({
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "json please" },
      ],
      options: { temperature: 0.2, top_p: 0.9, num_predict: 50, stop: ["END"], seed: 42 },
      format: "json",
      stream: true,
    });
    const schema = { type: "object", properties: { a: { type: "number" } }, required: ["a"] };
    await gw.openai().chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("schema please"),
      max_completion_tokens: 9,
      stop: ["x", "y"],
      response_format: { type: "json_schema", json_schema: { name: "a", schema } },
    });
    expect(fake.chats().at(-1)).toMatchObject({ options: { num_predict: 9, stop: ["x", "y"] }, format: schema });
  });

  it("reports finish_reason length when Ollama stops at num_predict", async () => {
    fake.script = () => ({ chunks: ["cut"], doneReason: "length" });
    const r = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: user("long"), max_tokens: 1 });
    expect(r.choices[0]?.finish_reason).toBe("length");
  });

  it("sends image_url data URLs as Ollama images", async () => {
    const b64 = Buffer.from("fake-png-bytes").toString("base64");
    await gw.openai().chat.completions.create({
      model: "ollama/llava:7b",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${b64}` } },
          ],
        },
      ],
    });
    expect(fake.chats().at(-1)?.messages).toEqual([{ role: "user", content: "What is this?", images: [b64] }]);
  });

  it("puts thinking into reasoning_content, never into content", async () => {
    fake.script = () => ({ thinking: ["Let me ", "think."], chunks: ["42"] });
    const r = await gw.openai().chat.completions.create({ model: "ollama/qwen3:8b", messages: user("q") });
    const msg = r.choices[0]?.message as unknown as { content: string; reasoning_content: string };
    expect(msg.content).toBe("42");
    expect(msg.reasoning_content).toBe("Let me think.");
  });

  it("moves an inline <think> block (no reasoning_effort) to reasoning_content, streamed or not", async () => {
    // Some Ollama versions put the thinking into the content when `think` is not set; tags cut anywhere.
    const inline = { chunks: ["<th", "ink>\nLet me ", "think.</th", "ink>\n", "\n4", "2"] };
    fake.script = () => inline;
    const r = await gw.openai().chat.completions.create({ model: "ollama/qwen3:8b", messages: user("q") });
    expect(fake.chats().at(-1)?.think).toBeUndefined();
    const msg = r.choices[0]?.message as unknown as { content: string; reasoning_content: string };
    expect(msg).toMatchObject({ content: "42", reasoning_content: "Let me think." });

    const stream = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: user("q"), stream: true });
    let content = "";
    let reasoning = "";
    for await (const c of stream) {
      const d = c.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      content += d?.content ?? "";
      reasoning += d?.reasoning_content ?? "";
    }
    expect(content).toBe("42");
    expect(reasoning).toBe("Let me think.");

    // with thinking asked for, Ollama sends it apart; a <think> later in the text stays text
    fake.script = () => ({ thinking: ["hmm"], chunks: ["a <think> tag"] });
    const s2 = await gw.openai().chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("q"),
      reasoning_effort: "low",
    });
    expect(fake.chats().at(-1)?.think).toBe(true);
    expect(s2.choices[0]?.message).toMatchObject({ content: "a <think> tag", reasoning_content: "hmm" });
  });
});

describe("tools", () => {
  const tools = [
    {
      type: "function" as const,
      function: {
        name: "get_weather",
        description: "Weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    },
  ];
  const weatherCall = () => ({
    toolCalls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }],
  });

  it("round-trips a tool call without streaming", async () => {
    fake.script = (body) => (body.messages.at(-1).role === "tool" ? { chunks: ["It is sunny."] } : weatherCall());
    const client = gw.openai();
    const first = await client.chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("Weather in Paris?"),
      tools,
    });
    expectCompletion(first);
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("no function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect(call.id).toBeTruthy();
    expect(fake.chats().at(-1)?.tools).toEqual(tools);

    const second = await client.chat.completions.create({
      model: "ollama/qwen3:8b",
      tools,
      messages: [
        ...user("Weather in Paris?"),
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "sunny, 24C" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("It is sunny.");
    expect(fake.chats().at(-1)?.messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }],
      },
      { role: "tool", content: "sunny, 24C", tool_name: "get_weather" },
    ]);
  });

  it("streams tool calls with an index on every tool-call delta", async () => {
    fake.script = () => ({
      toolCalls: [
        { function: { name: "get_weather", arguments: { city: "Paris" } } },
        { function: { name: "get_weather", arguments: { city: "Oslo" } } },
      ],
    });
    const stream = await gw.openai().chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("Paris and Oslo?"),
      tools,
      stream: true,
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    for (const c of chunks) expectChunk(c);
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.map((d) => d.index)).toEqual([0, 1]);
    expect(deltas.map((d) => JSON.parse(d.function?.arguments ?? ""))).toEqual([{ city: "Paris" }, { city: "Oslo" }]);
    expect(deltas.every((d) => d.id && d.type === "function")).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("leaves tools out when tool_choice is none", async () => {
    fake.script = () => undefined;
    await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: user("no tools"), tools, tool_choice: "none" });
    expect(fake.chats().at(-1)?.tools).toBeUndefined();
    expect(lastUserText(fake.chats().at(-1))).toBe("no tools");
  });
});

describe("tools, streamed both ways", () => {
  it("sends the tool result back with stream:true and streams the answer", async () => {
    const tools = [
      {
        type: "function" as const,
        function: { name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } } },
      },
    ];
    fake.script = (body) =>
      body.messages.at(-1).role === "tool"
        ? { chunks: ["It is ", "noon."] }
        : { toolCalls: [{ function: { name: "get_time", arguments: { tz: "UTC" } } }] };
    const client = gw.openai();
    const first = await client.chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("Time?"),
      tools,
      stream: true,
    });
    const calls: { id?: string; index: number; function?: { name?: string; arguments?: string } }[] = [];
    let finish: string | null | undefined;
    for await (const c of first) {
      calls.push(...(c.choices[0]?.delta.tool_calls ?? []));
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect(calls).toHaveLength(1);
    const call = calls[0];
    if (!call?.id || !call.function?.name) throw new Error("no call");
    const second = await client.chat.completions.create({
      model: "ollama/qwen3:8b",
      tools,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        ...user("Time?"),
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: call.id,
              type: "function",
              function: { name: call.function.name, arguments: call.function.arguments ?? "" },
            },
          ],
        },
        { role: "tool", tool_call_id: call.id, content: "12:00" },
      ],
    });
    let text = "";
    let last: OpenAI.ChatCompletionChunk | undefined;
    for await (const c of second) {
      text += c.choices[0]?.delta.content ?? "";
      last = c;
    }
    expect(text).toBe("It is noon.");
    expect(last?.usage?.total_tokens).toBeGreaterThan(0);
    expect(fake.chats().at(-1)).toMatchObject({
      stream: true,
      messages: [
        { role: "user", content: "Time?" },
        { role: "assistant", content: "", tool_calls: [{ function: { name: "get_time", arguments: { tz: "UTC" } } }] },
        { role: "tool", content: "12:00", tool_name: "get_time" },
      ],
    });
  });

  it("sends only the named tool for a named tool_choice; refuses a name not in tools", async () => {
    const tool = (name: string) => ({ type: "function" as const, function: { name, parameters: {} } });
    await gw.openai().chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("x"),
      tools: [tool("a"), tool("b")],
      tool_choice: { type: "function", function: { name: "b" } },
    });
    expect(
      fake
        .chats()
        .at(-1)
        ?.tools.map((t: { function: { name: string } }) => t.function.name),
    ).toEqual(["b"]);
    await gw.openai().chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("x"),
      tools: [tool("a"), tool("b")],
      tool_choice: "required",
      logprobs: true,
    });
    expect(fake.chats().at(-1)?.tools).toHaveLength(2);
    const e = await gw
      .openai()
      .chat.completions.create({
        model: "ollama/qwen3:8b",
        messages: user("x"),
        tools: [tool("a")],
        tool_choice: { type: "function", function: { name: "zzz" } },
      })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.param).toBe("tool_choice");
  });
});

describe("Ollama failures seen by the client", () => {
  it("a mid-stream error is a data: {error} event of the spec's shape", async () => {
    fake.script = () => ({ chunks: ["a", "b"], midStreamError: { after: 1, message: "out of memory" } });
    const checked = gw.schema.checked;
    const res = await post({ model: "ollama/qwen3:8b", messages: user("x"), stream: true });
    expect(res.status).toBe(200);
    const events = sseData(await res.text());
    const error = JSON.parse(events.at(-1) ?? "");
    expect(error.error).toMatchObject({ type: "api_error", code: "upstream_error" });
    expect(error.error.message).toMatch(/out of memory/);
    expect(gw.schema.checked - checked).toBe(events.length);
  });

  it("Ollama's model not found: 404 model_not_found before the stream, an error event with that code during it", async () => {
    fake.script = () => ({ chunks: ["a"], midStreamError: { after: 0, message: "model 'qwen3:8b' not found" } });
    for (const stream of [false, true]) {
      const e = await gw
        .openai()
        .chat.completions.create({ model: "ollama/qwen3:8b", messages: user("x"), stream })
        .catch((x) => x);
      expect(e, `stream ${stream}`).toBeInstanceOf(OpenAI.NotFoundError);
      expect(e.code).toBe("model_not_found");
    }
    fake.script = () => ({ chunks: ["a", "b"], midStreamError: { after: 1, message: "model 'qwen3:8b' not found" } });
    const res = await post({ model: "ollama/qwen3:8b", messages: user("x"), stream: true });
    const last = JSON.parse(sseData(await res.text()).at(-1) ?? "");
    expect(last.error.code).toBe("model_not_found");
  });

  it("a connection reset after the response started is a 502 upstream error, not 'unreachable'", async () => {
    fake.script = () => ({ chunks: ["a", "b", "c"], resetAfter: 2 });
    const e = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: user("x") })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.InternalServerError);
    expect(e.status).toBe(502);
    expect(e.code).toBe("upstream_error");
    expect(e.message).not.toMatch(/unreachable/i);
    const rec = gw.records().at(-1);
    expect(rec).toMatchObject({ httpStatus: 502, errorCode: "upstream_error" });

    const res = await post({ model: "ollama/qwen3:8b", messages: user("x"), stream: true });
    const events = sseData(await res.text());
    const last = JSON.parse(events.at(-1) ?? "");
    expect(last.error.code).toBe("upstream_error");
    expect(last.error.message).not.toMatch(/unreachable/i);
  });
});

describe("sessions", () => {
  it("answers session turns, streamed or not, in the spec's shape", async () => {
    const sid = `chat-${Date.now()}`;
    const client = gw.openai({ sessionId: sid });
    const checked = gw.schema.checked;
    await client.chat.completions.create({ model: "ollama/qwen3:8b", messages: user("one") });
    const stream = await client.chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: user("two"),
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream);
    expect(gw.schema.checked - checked).toBeGreaterThan(3);
    expect(
      fake
        .chats()
        .at(-1)
        ?.messages.map((m: { content: string }) => m.content),
    ).toEqual(["one", "Echo: one", "two"]);
  });

  it("a request cancelled while it waits for the session lock leaves one record, cancelled, and never runs", async () => {
    const sid = `lock-${Date.now()}`;
    fake.script = () => ({ chunks: ["slow ", "answer ", "here"], delayMs: 700 });
    const chatsBefore = fake.chats().length;
    const holder = post({ model: "ollama/qwen3:8b", messages: user("first"), stream: true }, { "x-session-id": sid });
    const holderRes = await holder;
    expect(holderRes.status).toBe(200);
    const abort = new AbortController();
    const waiter = post({ model: "ollama/qwen3:8b", messages: user("second") }, { "x-session-id": sid }, abort.signal);
    waiter.catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
    abort.abort();
    await waiter.catch(() => {});
    await holderRes.text();
    const recs = await eventually(() => {
      const rows = gw.records().filter((r) => r.sessionId === sid);
      return rows.length === 2 ? rows : null;
    }, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const rows = gw.records().filter((r) => r.sessionId === sid);
    expect(rows.map((r) => r.status).sort()).toEqual(["cancelled", "ok"]);
    expect(recs).toHaveLength(2);
    expect(fake.chats().length - chatsBefore).toBe(1);
    expect(lastUserText(fake.chats().at(-1))).toBe("first");
  });
});
