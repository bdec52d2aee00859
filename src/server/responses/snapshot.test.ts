import { describe, expect, it } from "vitest";
import { expectResponse } from "../../../tests/helpers/openai-responses";
import { isEvent } from "../chat/format";
import { parseResponsesRequest } from "../openai/responses-schema";
import type { RunResult } from "../providers/types";
import { responseObject } from "./envelope";
import { responsesFormat } from "./format";
import { ResponseSnapshot } from "./snapshot";

const envelope = {
  id: "resp_snap",
  createdAt: 1_800_000_000,
  request: parseResponsesRequest({ model: "ollama/m", input: "hi", background: true }),
};
const result: RunResult = {
  finishReason: "tool_calls",
  usage: { promptTokens: 3, completionTokens: 2, cachedTokens: 0 },
  costUsd: null,
  upstreamModel: "m",
};

describe("the Response a stream of events describes so far (what polling a background run shows)", () => {
  it("follows the format's events item by item and ends as the format's final object", () => {
    const f = responsesFormat(envelope);
    const snap = new ResponseSnapshot(responseObject(envelope, { status: "queued", output: [] }));
    const apply = (frames: ReturnType<typeof f.open>) => {
      for (const fr of frames.filter(isEvent)) snap.apply(fr.data as Record<string, unknown>);
    };
    apply(f.open());
    expect(snap.response).toMatchObject({ status: "in_progress", background: true, output: [] });
    apply(f.add({ type: "reasoning", text: "hm" }));
    apply(f.add({ type: "text", text: "Hel" }));
    apply(f.add({ type: "text", text: "lo" }));
    const so_far = snap.response as any;
    expect(so_far.output.map((i: any) => [i.type, i.status])).toEqual([
      ["reasoning", "completed"],
      ["message", "in_progress"],
    ]);
    expect(so_far.output[1].content[0].text).toBe("Hello");
    expectResponse(so_far);
    apply(f.add({ type: "tool_call", index: 0, id: "call_1", name: "f", arguments: '{"a":' }));
    apply(f.add({ type: "tool_call", index: 0, id: "call_1", name: "f", arguments: "1}" }));
    expect((snap.response as any).output[2].arguments).toBe('{"a":1}');
    apply(f.end(result, undefined as never));
    expect(snap.response).toEqual(f.final(result));
  });

  it("takes output items of any type (agent steps, say) by their output_index, and ends cancelled or failed", () => {
    const snap = new ResponseSnapshot(responseObject(envelope, { status: "in_progress", output: [] }));
    const step = { type: "custom_step", id: "st_1", status: "in_progress", note: "reading files" };
    snap.apply({ type: "response.output_item.added", output_index: 0, item: step, sequence_number: 2 });
    expect((snap.response as any).output).toEqual([step]);
    snap.apply({ type: "response.output_item.done", output_index: 0, item: { ...step, status: "completed" } });
    snap.apply({ type: "response.something_new", output_index: 0, delta: "ignored" });
    expect((snap.response as any).output[0].status).toBe("completed");
    snap.apply({ type: "response.output_item.added", output_index: 1, item: { ...step, id: "st_2" } });
    expect(snap.end("cancelled")).toMatchObject({
      status: "cancelled",
      output: [{ status: "completed" }, { status: "incomplete" }],
    });
    expect(snap.end("failed", { code: "server_error", message: "x" })).toMatchObject({
      error: { code: "server_error" },
    });
  });
});
