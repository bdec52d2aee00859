/** The Responses API on the Claude Code backend: the real `claude` binary against the fake Anthropic API. */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { conversationTexts } from "../fakes/anthropic";
import { type ClaudeSetup, startClaudeGateway, turnPids } from "../helpers/claude";
import { eventually } from "../helpers/gateway";
import { expectResponse, responsesValidatingFetch } from "../helpers/openai-responses";

let c: ClaudeSetup;
let client: OpenAI;
const failures: string[] = [];

beforeAll(async () => {
  c = await startClaudeGateway();
  client = new OpenAI({
    baseURL: `${c.gw.url}/v1`,
    apiKey: "unused",
    maxRetries: 0,
    fetch: responsesValidatingFetch(failures),
  });
});
afterAll(async () => {
  await c?.close();
});
afterEach(() => expect(failures.splice(0)).toEqual([]));

const lastTexts = () =>
  conversationTexts(c.fake.mainRequests().at(-1)?.body)
    .map((t) => t.text)
    .join("\n");

describe("POST /v1/responses with claude-code", () => {
  it("answers responses.create and responses.stream, recorded on /v1/responses", async () => {
    const { data, response } = await client.responses
      .create({ model: "claude-code", input: "hello responses" })
      .withResponse();
    expectResponse(data);
    expect(data.output_text).toBe("Echo: hello responses");
    expect(data.usage).toMatchObject({
      input_tokens: 29,
      output_tokens: 3,
      input_tokens_details: { cached_tokens: 3 },
    });
    const id = response.headers.get("x-request-id");
    const rec = await eventually(() => c.gw.records().find((r) => r.id === id));
    expect(rec).toMatchObject({ provider: "claude-code", endpoint: "/v1/responses", status: "ok" });

    const stream = client.responses.stream({ model: "claude-code", input: "one two three" });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Echo: one two three");
    expect(deltas.length).toBeGreaterThan(1);
  });

  it("continues with previous_response_id by resuming the Claude session; an earlier response forks", async () => {
    const first = await client.responses.create({ model: "claude-code", input: "first alpha" });
    const second = await client.responses.create({
      model: "claude-code",
      input: "second beta",
      previous_response_id: first.id,
    });
    expect(second.output_text).toBe("Echo: second beta");
    const resumed = lastTexts();
    expect(resumed).toContain("first alpha");
    expect(resumed).not.toContain("<conversation_history>");
    const [session] = c.gw.query("SELECT upstreamSessionId, turnCount FROM Session WHERE id = ?", first.id);
    expect(session.turnCount).toBe(2);
    // Continuing the first response again: a new session from the stored first turn, not the second.
    const branch = await client.responses.create({
      model: "claude-code",
      input: "branch gamma",
      previous_response_id: first.id,
    });
    const forked = lastTexts();
    // the stored turn is replayed as a transcript before the new message
    expect(forked).toContain("<conversation_history>");
    expect(forked).toContain("first alpha");
    expect(forked).toContain("branch gamma");
    expect(forked).not.toContain("second beta");
    const [fork] = c.gw.query("SELECT upstreamSessionId, turnCount FROM Session WHERE id = ?", branch.id);
    expect(fork.turnCount).toBe(2);
    expect(fork.upstreamSessionId).not.toBe(session.upstreamSessionId);
  });

  it("answers 503 for embeddings when Ollama is unreachable, naming OLLAMA_URL", async () => {
    const res = await fetch(`${c.gw.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "ollama/nomic-embed-text", input: "x" }),
    });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "upstream_unavailable" });
    expect(body.error.message).toMatch(/OLLAMA_URL=/);
  });

  it("a function tool round trip: function_call out, function_call_output continues the same Claude turn", async () => {
    const tools = [
      {
        type: "function" as const,
        name: "get_weather",
        description: "The weather",
        parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
        strict: false,
      },
    ];
    const input = [{ role: "user" as const, content: "weather now [[fake:tool=get_weather]]" }];
    const first = await client.responses.create({ model: "claude-code", input, tools, store: false });
    expectResponse(first);
    const call = first.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"q":"weather now"}' });
    const second = await client.responses.create({
      model: "claude-code",
      input: [
        ...input,
        call as never,
        { type: "function_call_output", call_id: (call as { call_id: string }).call_id, output: "hot" },
      ],
      tools,
      store: false,
    });
    expectResponse(second);
    expect(second.output_text).toBe("Got: hot");
  });
});

describe("background responses with claude-code (issue 26)", () => {
  const settled = (id: string) =>
    eventually(async () => {
      const r = await client.responses.retrieve(id);
      return ["queued", "in_progress"].includes(r.status ?? "") ? undefined : r;
    }, 20_000);

  it("the client gone right after creating a streamed one: the run completes, is stored and continues", async () => {
    const ac = new AbortController();
    const res = await fetch(`${c.gw.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-code",
        input: "gone a b c [[fake:slow=30]]",
        background: true,
        stream: true,
      }),
      signal: ac.signal,
    });
    ac.abort();
    const id = `resp_${res.headers.get("x-request-id")?.slice(4)}`;
    const done = await settled(id);
    expect(done).toMatchObject({ status: "completed", background: true });
    expect(done.output_text).toBe("Echo: gone a b c");
    expect(done.usage?.output_tokens).toBeGreaterThan(0);
    const next = await client.responses.create({ model: "claude-code", input: "after", previous_response_id: id });
    expect(next.output_text).toBe("Echo: after");
    expect(lastTexts()).toContain("gone a b c");
  });

  it("a streamed one cut after a few events resumes from starting_after: every event once, in order", async () => {
    const stream = await client.responses.create({
      model: "claude-code",
      input: "resume a b c d [[fake:slow=40]]",
      background: true,
      stream: true,
    });
    const seen: any[] = [];
    for await (const e of stream) {
      seen.push(e);
      if (seen.length === 4) break;
    }
    const id = seen[0].response.id;
    const rest: any[] = [];
    for await (const e of await client.responses.retrieve(id, { stream: true, starting_after: 3 })) rest.push(e);
    const seqs = [...seen, ...rest].map((e) => e.sequence_number);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(rest.at(-1)).toMatchObject({ type: "response.completed", response: { status: "completed" } });
    const text = rest
      .filter((e) => e.type === "response.output_text.delta")
      .map((e) => e.delta)
      .join("");
    expect(text).toBe("Echo: resume a b c d");
  });

  it("cancel mid-run ends Claude Code's process; the response is cancelled and the record says so", async () => {
    const created = await client.responses.create({
      model: "claude-code",
      input: "cancel a b c d e f g h i j k l m n [[fake:slow=400]]",
      background: true,
    });
    expect(created.status).toBe("queued");
    await eventually(
      async () => ((await client.responses.retrieve(created.id)).output_text ? true : undefined),
      15_000,
    );
    const pids = await turnPids(c);
    expect(pids.length).toBeGreaterThan(0);
    const cancelled = await client.responses.cancel(created.id);
    expect(cancelled.status).toBe("cancelled");
    await eventually(async () => (await turnPids(c)).length === 0, 3_000);
    const rec = await eventually(() => c.gw.records().find((r) => r.id === `req_${created.id.slice(5)}`));
    expect(rec.status).toBe("cancelled");
    expect((await client.responses.cancel(created.id)).status).toBe("cancelled");
  });
});
