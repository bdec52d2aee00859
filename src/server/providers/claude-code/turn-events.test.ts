import { describe, expect, it } from "vitest";
import { TurnEvents } from "./turn-events";

const j = (o: unknown) => o;
const ev = (event: unknown) => j({ type: "stream_event", event, session_id: "s1", parent_tool_use_id: null });
const start = (id: string) => ev({ type: "message_start", message: { id, model: "claude-x" } });
const delta = (text: string) => ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
const think = (thinking: string) =>
  ev({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking } });
const finish = () => ev({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } });
const stop = () => ev({ type: "message_stop" });
const assistant = (id: string, text: string, model = "claude-x") =>
  j({ type: "assistant", message: { id, model, content: [{ type: "text", text }] }, parent_tool_use_id: null });

function run(mode: "stream" | "buffer", lines: unknown[]) {
  const s = new TurnEvents(mode);
  const events = lines.flatMap((l) => s.push(l));
  return { s, events, text: events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("") };
}

const twoMessages = [
  j({ type: "system", subtype: "init", session_id: "s1", model: "claude-x" }),
  start("m1"),
  think("hmm"),
  delta("Let me "),
  delta("look."),
  assistant("m1", "Let me look."),
  finish(),
  stop(),
  j({ type: "user", message: { content: [{ type: "tool_result" }] } }),
  start("m2"),
  delta("Found it."),
  assistant("m2", "Found it."),
  finish(),
  stop(),
  j({ type: "result", subtype: "success", is_error: false, session_id: "s1", usage: { input_tokens: 5 } }),
];

describe("TurnEvents", () => {
  it("streams deltas, separates assistant messages with a blank line, thinking as reasoning", () => {
    const { s, events, text } = run("stream", twoMessages);
    expect(text).toBe("Let me look.\n\nFound it.");
    expect(events[0]).toEqual({ type: "reasoning", text: "hmm" });
    expect(events.filter((e) => e.type === "text").length).toBeGreaterThan(2);
    expect(s.result?.session_id).toBe("s1");
    expect(s.model).toBe("claude-x");
  });

  it("buffer mode gives exactly the text the stream gives", () => {
    expect(run("buffer", twoMessages).text).toBe(run("stream", twoMessages).text);
  });

  it("ignores sub-agent output, synthetic error messages and junk lines", () => {
    const lines = [
      "not json",
      "{broken",
      j({
        type: "stream_event",
        parent_tool_use_id: "tool1",
        event: { type: "content_block_delta", delta: { type: "text_delta", text: "sub" } },
      }),
      assistant("x", "API Error: 529", "<synthetic>"),
      start("m1"),
      delta("ok"),
    ];
    expect(run("stream", lines).text).toBe("ok");
    expect(run("buffer", lines).text).toBe("");
  });

  it("a retried turn after a broken stream: error when streaming, whole text when buffering", () => {
    const lines = [start("m1"), delta("Echo: al"), stop(), assistant("m2", "Echo: alpha beta")];
    expect(() => run("stream", lines)).toThrow(/broke off/);
    expect(run("buffer", lines).text).toBe("Echo: alpha beta");
  });

  it("emits a whole assistant message that was never streamed", () => {
    expect(run("stream", [assistant("m9", "all at once")]).text).toBe("all at once");
  });
});

describe("TurnEvents with the client's tools", () => {
  const toolStart = (index: number, id: string, name: string) =>
    ev({ type: "content_block_start", index, content_block: { type: "tool_use", id, name, input: {} } });
  const json = (index: number, partial_json: string) =>
    ev({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } });
  const blockStop = (index: number) => ev({ type: "content_block_stop", index });
  const leg = [
    ev({
      type: "message_start",
      message: {
        id: "m1",
        model: "claude-x",
        usage: { input_tokens: 10, cache_read_input_tokens: 2, output_tokens: 1 },
      },
    }),
    ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking. " } }),
    toolStart(1, "toolu_1", "mcp__client__get_weather"),
    json(1, '{"city":'),
    json(1, '"Oslo"}'),
    blockStop(1),
    toolStart(2, "toolu_builtin", "Bash"),
    blockStop(2),
    toolStart(3, "toolu_2", "mcp__client__get_time"),
    blockStop(3),
    ev({ type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 7 } }),
    ev({ type: "message_stop" }),
  ];

  for (const mode of ["stream", "buffer"] as const) {
    it(`${mode}: client tool calls (not Claude Code's own) with their index, then the leg ends`, () => {
      const s = new TurnEvents(mode);
      const events = leg.flatMap((l) => s.push(l));
      expect(events.filter((e) => e.type === "tool_call")).toEqual([
        { type: "tool_call", index: 0, id: "toolu_1", name: "get_weather", arguments: '{"city":"Oslo"}' },
        { type: "tool_call", index: 1, id: "toolu_2", name: "get_time", arguments: "{}" },
      ]);
      expect(
        events
          .filter((e) => e.type === "text")
          .map((e) => (e as { text: string }).text)
          .join(""),
      ).toBe("Checking. ");
      expect(s.takePause()).toEqual(["toolu_1", "toolu_2"]);
      expect(s.takePause()).toBeNull();
      expect(s.takeUsage()).toEqual({ promptTokens: 12, completionTokens: 7, cachedTokens: 2 });
      // the whole message that follows in buffer mode is not emitted twice
      expect(
        s.push(
          j({
            type: "assistant",
            message: { id: "m1", model: "claude-x", content: [{ type: "text", text: "Checking. " }] },
            parent_tool_use_id: null,
          }),
        ),
      ).toEqual([]);
    });
  }

  it("structured: text is not part of the answer", () => {
    const s = new TurnEvents("stream", true);
    expect(s.push(start("m1"))).toEqual([]);
    expect(s.push(delta("prose"))).toEqual([]);
  });
});
