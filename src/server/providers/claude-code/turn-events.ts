/**
 * The Agent SDK's messages of one turn (the CLI's stream-json lines, parsed) → chat events.
 *
 * - "stream" mode: text comes from the partial `stream_event` deltas, token by token. A whole
 *   `assistant` message that was not streamed is emitted at once, unless it replaces a message
 *   whose stream broke (the CLI retries such a turn without streaming): text already sent cannot
 *   be taken back, so that is an error.
 * - "buffer" mode (non-streaming requests): text comes from the whole `assistant` messages only,
 *   so the answer is the final text even when the CLI had to retry.
 * Successive assistant messages of one run are separated by a blank line. Sub-agent output
 * (parent_tool_use_id set) and the CLI's synthetic error messages are not part of the answer.
 */
import { ApiError } from "../../openai/errors";
import type { ChatEvent } from "../types";

export interface ClaudeUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface ClaudeResult {
  type: "result";
  subtype: string;
  is_error?: boolean;
  result?: string;
  session_id?: string;
  total_cost_usd?: number;
  usage?: ClaudeUsage;
  api_error_status?: number | null;
  errors?: unknown[];
}

type Block = { type?: string; text?: string; thinking?: string };

interface Line {
  type?: string;
  subtype?: string;
  session_id?: string;
  model?: string;
  parent_tool_use_id?: string | null;
  event?: {
    type?: string;
    message?: { id?: string; model?: string };
    delta?: { type?: string; text?: string; thinking?: string; stop_reason?: string | null };
  };
  message?: { id?: string; model?: string; content?: Block[] };
}

export const streamInterrupted = () =>
  new ApiError(
    502,
    "Claude's answer stream broke off mid-way and Claude Code retried the turn without streaming; the text already streamed is incomplete. Retry the request (or ask without streaming).",
    { code: "upstream_stream_interrupted" },
  );

export class TurnEvents {
  sessionId: string | null = null;
  model: string | null = null;
  result: ClaudeResult | null = null;
  private readonly streamedIds = new Set<string>();
  /** The streamed message in progress, and whether its stream ended properly (message_delta seen). */
  private streaming: { id: string | null; finished: boolean } | null = null;
  private interrupted = false;
  private lastMessageId: string | null = null;
  private textSoFar = false;

  constructor(readonly mode: "stream" | "buffer") {}

  /** Feeds one SDK message; returns the events it yields (none for messages that carry no answer). */
  push(message: unknown): ChatEvent[] {
    if (!message || typeof message !== "object") return [];
    const line = message as Line;
    if (line.session_id) this.sessionId = line.session_id;
    if (line.type === "result") {
      this.result = line as unknown as ClaudeResult;
      return [];
    }
    if (line.type === "system" && line.subtype === "init") {
      this.model = line.model ?? this.model;
      return [];
    }
    if (line.parent_tool_use_id) return [];
    if (line.type === "stream_event") return this.onEvent(line.event ?? {});
    if (line.type === "assistant") return this.onAssistant(line.message ?? {});
    return [];
  }

  /** Text of a (new or continuing) message, with the blank line between messages. */
  private text(messageId: string | null, text: string): ChatEvent[] {
    if (!text) return [];
    const out: ChatEvent[] = [];
    if (this.textSoFar && messageId !== this.lastMessageId) out.push({ type: "text", text: "\n\n" });
    this.lastMessageId = messageId;
    this.textSoFar = true;
    out.push({ type: "text", text });
    return out;
  }

  private onEvent(e: NonNullable<Line["event"]>): ChatEvent[] {
    if (e.type === "message_start") {
      const id = e.message?.id ?? null;
      if (id) this.streamedIds.add(id);
      if (e.message?.model) this.model = e.message.model;
      this.streaming = { id, finished: false };
      return [];
    }
    if (e.type === "message_delta" && this.streaming) this.streaming.finished = true;
    if (e.type === "message_stop" && this.streaming && !this.streaming.finished) this.interrupted = true;
    if (this.mode === "buffer" || e.type !== "content_block_delta" || !e.delta) return [];
    const id = this.streaming?.id ?? null;
    if (e.delta.type === "text_delta") return this.text(id, e.delta.text ?? "");
    if (e.delta.type === "thinking_delta" && e.delta.thinking) return [{ type: "reasoning", text: e.delta.thinking }];
    return [];
  }

  private onAssistant(m: NonNullable<Line["message"]>): ChatEvent[] {
    if (m.model === "<synthetic>") return [];
    const id = m.id ?? null;
    if (this.mode === "stream") {
      if (id && this.streamedIds.has(id)) return [];
      if (this.interrupted) throw streamInterrupted();
    }
    const out: ChatEvent[] = [];
    for (const block of m.content ?? []) {
      if (block.type === "text") out.push(...this.text(id, block.text ?? ""));
      else if (block.type === "thinking" && block.thinking) out.push({ type: "reasoning", text: block.thinking });
    }
    return out;
  }
}
