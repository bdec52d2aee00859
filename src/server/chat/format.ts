/** The wire format of an answer, pluggable: chat completions or the Responses API, over one chat service. */
import type { MessageAccumulator } from "../openai/completion";
import type { ApiError } from "../openai/errors";
import type { ChatEvent, RunResult } from "../providers/types";

/**
 * One server-sent event: JSON data, optionally with an `event:` name; the `[DONE]` sentinel; or `: ping`,
 * a comment line every SSE parser ignores (a keep-alive for formats without a ping event of their own).
 */
export type SseFrame = SseEvent | "[DONE]" | ": ping";
export type SseEvent = { event?: string; data: unknown };
export const isEvent = (f: SseFrame): f is SseEvent => typeof f === "object";

/**
 * Turns a run's events into a JSON body or SSE frames. The service calls `add` for every event in
 * both modes (the formatter keeps what it needs), then `body` (JSON) or `open`/`end`/`fail` (stream).
 */
export interface WireFormat {
  /** Frames sent as soon as the stream starts, before the first upstream event. */
  open(): SseFrame[];
  /** One upstream event; returns its frames (ignored when the answer is JSON). */
  add(event: ChatEvent): SseFrame[];
  /** The last frames of a stream that ended well. */
  end(result: RunResult, acc: MessageAccumulator): SseFrame[];
  /** The frames of a stream that failed after it started. */
  fail(error: ApiError): SseFrame[];
  /** Frames sent while the upstream is silent (STREAM_PING_MS), Anthropic's `ping` event, chat completions' `: ping` comment. */
  ping?(): SseFrame[];
  /** The whole answer of a non-streaming request. */
  body(result: RunResult, acc: MessageAccumulator): unknown;
}
