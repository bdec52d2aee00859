/**
 * Anthropic's Messages API on the wire: a `message` object as JSON, or its SSE event sequence:
 * message_start, then per content block content_block_start → deltas (text_delta, thinking_delta +
 * signature_delta, input_json_delta) → content_block_stop, then message_delta (stop_reason, usage) and
 * message_stop; `ping` while the upstream is silent; an `error` event for a failure after the start.
 */
import { createHash } from "node:crypto";
import type { WireFormat } from "../chat/format";
import type { MessageAccumulator } from "../openai/completion";
import type { ChatEvent, FinishReason, RunResult, TokenUsage } from "../providers/types";
import { anthropicErrorBody } from "./errors";

type Frame = { event: string; data: unknown };
type BlockKind = "text" | "thinking" | "tool_use";

/** An opaque signature for a thinking block: clients send it back with the block, and it is accepted. */
export const signatureOf = (thinking: string) => `ccb1.${createHash("sha256").update(thinking).digest("base64url")}`;

export const stopReasonOf = (f: FinishReason) =>
  f === "length" ? "max_tokens" : f === "tool_calls" ? "tool_use" : f === "content_filter" ? "refusal" : "end_turn";

/** Our usage in Anthropic's terms: input_tokens without the cache reads (counted apart). */
export const usageOf = (u: TokenUsage) => ({
  input_tokens: Math.max(0, u.promptTokens - u.cachedTokens),
  output_tokens: u.completionTokens,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: u.cachedTokens,
});

const ZERO: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };

export interface MessagesFormat extends WireFormat {
  /** The frames sent while the upstream is silent. */
  ping(): Frame[];
}

export function messagesFormat(id: string, model: string): MessagesFormat {
  let index = -1;
  let open: { kind: BlockKind; toolIndex?: number } | null = null;
  let thinking = "";

  const stop = (): Frame[] => {
    if (!open) return [];
    const frames: Frame[] = [];
    if (open.kind === "thinking") {
      frames.push(delta({ type: "signature_delta", signature: signatureOf(thinking) }));
      thinking = "";
    }
    frames.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
    open = null;
    return frames;
  };
  const delta = (d: Record<string, unknown>): Frame => ({
    event: "content_block_delta",
    data: { type: "content_block_delta", index, delta: d },
  });
  const start = (kind: BlockKind, block: Record<string, unknown>, toolIndex?: number): Frame[] => {
    const frames = stop();
    index++;
    open = { kind, toolIndex };
    frames.push({ event: "content_block_start", data: { type: "content_block_start", index, content_block: block } });
    return frames;
  };

  const message = (content: unknown[], stopReason: string | null, usage: TokenUsage) => ({
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: usageOf(usage),
  });

  return {
    open: () => [{ event: "message_start", data: { type: "message_start", message: message([], null, ZERO) } }],
    add(e: ChatEvent) {
      if (e.type === "text") {
        const frames = open?.kind === "text" ? [] : start("text", { type: "text", text: "" });
        return [...frames, delta({ type: "text_delta", text: e.text })];
      }
      if (e.type === "step") return [];
      if (e.type === "reasoning") {
        const frames = open?.kind === "thinking" ? [] : start("thinking", { type: "thinking", thinking: "" });
        thinking += e.text;
        return [...frames, delta({ type: "thinking_delta", thinking: e.text })];
      }
      const same = open?.kind === "tool_use" && open.toolIndex === e.index;
      const frames = same ? [] : start("tool_use", { type: "tool_use", id: e.id, name: e.name, input: {} }, e.index);
      return e.arguments ? [...frames, delta({ type: "input_json_delta", partial_json: e.arguments })] : frames;
    },
    end: (result: RunResult) => [
      ...stop(),
      {
        event: "message_delta",
        data: {
          type: "message_delta",
          delta: { stop_reason: stopReasonOf(result.finishReason), stop_sequence: null },
          usage: usageOf(result.usage),
        },
      },
      { event: "message_stop", data: { type: "message_stop" } },
    ],
    fail: (error) => [...stop(), { event: "error", data: anthropicErrorBody(error) }],
    ping: () => [{ event: "ping", data: { type: "ping" } }],
    body: (result: RunResult, acc: MessageAccumulator) =>
      message(contentOf(acc), stopReasonOf(result.finishReason), result.usage),
  };
}

/** The content blocks of a whole answer: thinking, text, then tool calls. */
function contentOf(acc: MessageAccumulator): unknown[] {
  const out: unknown[] = [];
  if (acc.reasoning) out.push({ type: "thinking", thinking: acc.reasoning, signature: signatureOf(acc.reasoning) });
  if (acc.content) out.push({ type: "text", text: acc.content });
  for (const c of acc.toolCalls) {
    if (!c) continue;
    let input: unknown = {};
    try {
      input = c.function.arguments ? JSON.parse(c.function.arguments) : {};
    } catch {
      input = {};
    }
    out.push({ type: "tool_use", id: c.id, name: c.function.name, input });
  }
  return out;
}
