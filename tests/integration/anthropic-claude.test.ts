/** Anthropic's Messages API on Claude Code (the real `claude` binary on a fake Anthropic API), driven by `@anthropic-ai/sdk`. */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageBlocks, lastToolResults, systemText } from "../fakes/anthropic";
import { anthropicClient, expectEventSequence, expectMessage } from "../helpers/anthropic";
import { type ClaudeSetup, processStats, startClaudeGateway } from "../helpers/claude";
import { eventually } from "../helpers/gateway";

let c: ClaudeSetup;
beforeAll(async () => {
  c = await startClaudeGateway({ CLAUDE_TOOL_WAIT_MS: "4000" });
});
afterAll(async () => {
  await c?.close();
});

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const client = () => anthropicClient(c.gw, "unused");
const lastMain = () => c.fake.mainRequests().at(-1);

describe("Messages on Claude Code", () => {
  it("messages.create: the system blocks go to Claude's system prompt, images pass, usage comes back", async () => {
    const m = await client().messages.create({
      model: "claude-code",
      max_tokens: 1000,
      system: [{ type: "text", text: "Always answer like a pirate." }],
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            { type: "text", text: "ahoy" },
          ],
        },
      ],
    });
    expectMessage(m);
    expect(m.content).toEqual([{ type: "text", text: "Echo: ahoy" }]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage.input_tokens + (m.usage.cache_read_input_tokens ?? 0)).toBeGreaterThan(0);
    const sent = lastMain()?.body;
    expect(systemText(sent)).toContain("Always answer like a pirate.");
    expect(imageBlocks(sent)).toHaveLength(1);
    const rec = await eventually(() => c.gw.records().find((r) => r.endpoint === "/v1/messages"));
    expect(rec).toMatchObject({ provider: "claude-code", status: "ok" });
  });

  it("a stateless message's process is cleared and serves the caller's next one, which sees nothing of it", async () => {
    const ask = (text: string) =>
      client().messages.create({
        model: "claude-code",
        max_tokens: 100,
        system: "Be terse.",
        messages: [{ role: "user", content: text }],
      });
    const before = new Set((await processStats(c.gw)).pids.reusable);
    expect((await ask("SECRET-NARWHAL is the word")).content).toEqual([
      { type: "text", text: "Echo: SECRET-NARWHAL is the word" },
    ]);
    const pid = await eventually(async () => (await processStats(c.gw)).pids.reusable.find((p) => !before.has(p)));
    const n = c.fake.requests.length;
    const ran = new Set<number>();
    let done = false;
    const watch = (async () => {
      while (!done) {
        for (const p of (await processStats(c.gw)).pids.running) ran.add(p);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const two = await ask("which word? [[fake:slow=40]]").finally(() => (done = true));
    await watch;
    expect(two.content).toEqual([{ type: "text", text: "Echo: which word?" }]);
    expect([...ran]).toEqual([pid]);
    const sent = c.fake.requests.slice(n);
    expect(sent.length).toBeGreaterThan(0);
    expect(JSON.stringify(sent.map((r) => ({ headers: r.headers, body: r.body })))).not.toContain("NARWHAL");
  });

  it("messages.stream: token deltas and Claude's thinking as a thinking block with a signature", async () => {
    const stream = client().messages.stream({
      model: "claude-code",
      max_tokens: 1000,
      messages: [{ role: "user", content: "think first [[fake:think=Pondering the sea.]]" }],
    });
    const events: any[] = [];
    stream.on("streamEvent", (e) => events.push(e));
    const final = await stream.finalMessage();
    expectEventSequence(events);
    expectMessage(final);
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect((final.content[0] as Anthropic.ThinkingBlock).thinking).toBe("Pondering the sea.");
    expect((final.content[0] as Anthropic.ThinkingBlock).signature).toMatch(/^ccb1\./);
    expect((final.content[1] as Anthropic.TextBlock).text).toBe("Echo: think first");
    expect(events.filter((e) => e.delta?.type === "text_delta").length).toBeGreaterThan(1);
  });

  it("a tool round trip: the turn pauses at tool_use, and the tool_result continues it", async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "The weather in a city",
        input_schema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
      },
    ];
    const first = await client().messages.create({
      model: "claude-code",
      max_tokens: 1000,
      tools,
      messages: [{ role: "user", content: "weather in Paris [[fake:tool=get_weather]]" }],
    });
    expectMessage(first);
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
    expect(use).toMatchObject({ name: "get_weather", input: { q: "weather in Paris" } });

    const events: any[] = [];
    const stream = client().messages.stream({
      model: "claude-code",
      max_tokens: 1000,
      tools,
      messages: [
        { role: "user", content: "weather in Paris [[fake:tool=get_weather]]" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "sunny, 21 C" }] },
      ],
    });
    stream.on("streamEvent", (e) => events.push(e));
    const second = await stream.finalMessage();
    expectEventSequence(events);
    expect(second.content).toEqual([{ type: "text", text: "Got: sunny, 21 C" }]);
    // The same Claude turn went on with the result (no new conversation): the fake saw it as a tool_result.
    expect(lastToolResults(lastMain()?.body)).toEqual([{ id: use.id, text: "sunny, 21 C", isError: false }]);
    const [leg1, leg2] = c.gw.records().slice(-2);
    expect(leg2).toMatchObject({ endpoint: "/v1/messages", parentRequestId: leg1.id });
  });

  it("upstream failures come back as the SDK's classes: an overloaded Claude is a 529 OverloadedError", async () => {
    const call = (marker: string) =>
      client()
        .messages.create({
          model: "claude-code",
          max_tokens: 100,
          messages: [{ role: "user", content: `x ${marker}` }],
        })
        .catch((x) => x);
    const overloaded = await call("[[fake:error=529]]");
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expect(overloaded.status).toBe(529);
    expect(overloaded.error.error.type).toBe("overloaded_error");
    expect(Number(overloaded.headers.get("retry-after"))).toBeGreaterThan(0);
    const auth = await call("[[fake:error=401]]");
    // The gateway's own upstream login failed: not the client's key, so a 502 api_error.
    expect(auth).toBeInstanceOf(Anthropic.InternalServerError);
    expect(auth.status).toBe(502);
    expect(auth.error.error.type).toBe("api_error");
  });
});
