/**
 * The Responses API on the wire: a Response object as JSON, or typed SSE events (`event: <type>`)
 * numbered by `sequence_number`: response.created, response.in_progress, the output items' events
 * as the upstream produces them, then response.completed (or .incomplete; .failed on an error).
 */
import type { WireFormat } from "../chat/format";
import type { ApiError } from "../openai/errors";
import type { RunResult } from "../providers/types";
import { type Envelope, type ResponseObject, responseObject } from "./envelope";
import { OutputBuilder, type OutputEvent } from "./output";

export interface ResponsesFormat extends WireFormat {
  /** The final Response object, once the run ended well (what is stored). */
  final(result: RunResult): ResponseObject;
}

export function responsesFormat(env: Envelope): ResponsesFormat {
  const output = new OutputBuilder();
  let seq = 0;
  let finalized: ResponseObject | null = null;
  const frames = (events: OutputEvent[]) =>
    events.map((e) => ({ event: e.type, data: { ...e, sequence_number: seq++ } }));
  const final = (result: RunResult) => {
    if (finalized) return finalized;
    const incomplete = result.finishReason === "length" || result.finishReason === "content_filter";
    output.close(incomplete ? "incomplete" : "completed");
    finalized = responseObject(env, {
      status: incomplete ? "incomplete" : "completed",
      output: output.items,
      usage: result.usage,
      finishReason: result.finishReason,
    });
    return finalized;
  };
  return {
    final,
    open: () => {
      const response = responseObject(env, { status: "in_progress", output: [] });
      return frames([
        { type: "response.created", response },
        { type: "response.in_progress", response },
      ]);
    },
    add: (e) => frames(output.add(e)),
    end: (result) => {
      const incomplete = result.finishReason === "length" || result.finishReason === "content_filter";
      const closing = output.close(incomplete ? "incomplete" : "completed");
      const response = final(result);
      return frames([...closing, { type: incomplete ? "response.incomplete" : "response.completed", response }]);
    },
    fail: (error: ApiError) => {
      output.close("incomplete");
      const response = responseObject(env, { status: "failed", output: output.items, error });
      return frames([{ type: "response.failed", response }]);
    },
    body: (result) => final(result),
  };
}
