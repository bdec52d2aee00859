import { describe, expect, it } from "vitest";
import { expectResponse, expectStreamEvent } from "../../../tests/helpers/openai-responses";
import { isEvent } from "../chat/format";
import { ApiError } from "../openai/errors";
import { parseResponsesRequest } from "../openai/responses-schema";
import type { ChatEvent, RunResult } from "../providers/types";
import { responsesFormat } from "./format";

const result = (finishReason: RunResult["finishReason"] = "stop"): RunResult => ({
  finishReason,
  usage: { promptTokens: 10, completionTokens: 4, cachedTokens: 2 },
  costUsd: null,
  upstreamModel: "qwen3:8b",
});

const envelope = (extra: Record<string, unknown> = {}) => ({
  id: "resp_abc",
  createdAt: 1_800_000_000,
  request: parseResponsesRequest({ model: "ollama/qwen3:8b", input: "hi", ...extra }),
});

function run(events: ChatEvent[], finish = result(), extra: Record<string, unknown> = {}) {
  const f = responsesFormat(envelope(extra));
  const frames = [...f.open(), ...events.flatMap((e) => f.add(e)), ...f.end(finish, undefined as never)];
  return frames.filter(isEvent);
}

describe("the Responses wire format", () => {
  it("streams text as created, in_progress, item and part added, deltas, done events, completed", () => {
    const frames = run([
      { type: "text", text: "Hel" },
      { type: "text", text: "lo" },
    ]);
    for (const f of frames) {
      expectStreamEvent(f.data);
      expect(f.event).toBe((f.data as { type: string }).type);
    }
    expect(frames.map((f) => (f.data as { type: string }).type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(frames.map((f) => (f.data as { sequence_number: number }).sequence_number)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    const done = frames.at(-1)?.data as any;
    expectResponse(done.response);
    expect(done.response.output[0]).toMatchObject({
      type: "message",
      status: "completed",
      content: [{ type: "output_text", text: "Hello" }],
    });
    expect(done.response.usage).toMatchObject({ input_tokens: 10, output_tokens: 4, total_tokens: 14 });
    expect(done.response.usage.input_tokens_details.cached_tokens).toBe(2);
  });

  it("builds reasoning, then text, then function calls as separate items, argument deltas on the same index", () => {
    const frames = run(
      [
        { type: "reasoning", text: "think" },
        { type: "text", text: "Calling." },
        { type: "tool_call", index: 0, id: "call_1", name: "get_weather", arguments: '{"city":' },
        { type: "tool_call", index: 0, id: "call_1", name: "get_weather", arguments: '"Paris"}' },
        { type: "tool_call", index: 1, id: "call_2", name: "get_time", arguments: "{}" },
      ],
      result("tool_calls"),
      { tools: [{ type: "function", name: "get_weather", parameters: { type: "object" } }] },
    );
    for (const f of frames) expectStreamEvent(f.data);
    const final = (frames.at(-1) as { data: any }).data.response;
    expectResponse(final);
    expect(final.output.map((i: any) => i.type)).toEqual(["reasoning", "message", "function_call", "function_call"]);
    expect(final.output[2]).toMatchObject({ call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' });
    const argsDone = frames.filter((f) => (f.data as any).type === "response.function_call_arguments.done");
    expect(argsDone.map((f) => (f.data as any).arguments)).toEqual(['{"city":"Paris"}', "{}"]);
    expect(final.tools).toEqual([
      { type: "function", name: "get_weather", description: null, parameters: { type: "object" }, strict: null },
    ]);
  });

  it("ends with response.incomplete when the output was cut by max_output_tokens", () => {
    const frames = run([{ type: "text", text: "cut" }], result("length"), { max_output_tokens: 1 });
    const last = frames.at(-1)?.data as any;
    expectStreamEvent(last);
    expect(last.type).toBe("response.incomplete");
    expect(last.response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(last.response.output[0].status).toBe("incomplete");
  });

  it("reports a failure after the start as response.failed with an error", () => {
    const f = responsesFormat(envelope());
    f.open();
    f.add({ type: "text", text: "part" });
    const [failed] = f.fail(new ApiError(502, "Ollama failed: boom", { code: "upstream_error" }));
    const data = (failed as { data: any }).data;
    expectStreamEvent(data);
    expect(data).toMatchObject({
      type: "response.failed",
      sequence_number: 5,
      response: { status: "failed", error: { code: "server_error", message: "Ollama failed: boom" } },
    });
  });

  it("answers JSON with the same Response object it stores", () => {
    const f = responsesFormat(envelope({ instructions: "Be brief.", metadata: { k: "v" }, store: false }));
    f.add({ type: "text", text: "Hi" });
    const body = f.body(result(), undefined as never) as any;
    expectResponse(body);
    expect(body).toBe(f.final(result()));
    expect(body).toMatchObject({ instructions: "Be brief.", metadata: { k: "v" }, store: false, status: "completed" });
  });
});
