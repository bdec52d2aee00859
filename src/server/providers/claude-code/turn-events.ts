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
import type { ChatEvent, TokenUsage } from "../types";
import { CLIENT_PREFIX } from "./client-tools";

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

type Block = { type?: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown };

interface Line {
  type?: string;
  subtype?: string;
  session_id?: string;
  model?: string;
  parent_tool_use_id?: string | null;
  event?: {
    type?: string;
    index?: number;
    message?: { id?: string; model?: string; usage?: ClaudeUsage };
    content_block?: Block;
    delta?: { type?: string; text?: string; thinking?: string; partial_json?: string; stop_reason?: string | null };
    usage?: ClaudeUsage;
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
  /** Client tool calls of the message in progress, by content block index. */
  private readonly calls = new Map<number, { id: string; name: string; json: string }>();
  /** Client tool calls emitted in this leg (their index in the answer). */
  private legCalls: string[] = [];
  /** The API message in progress ended asking for client tools: the HTTP leg ends here. */
  private pause = false;
  /** Text of the streamed message in progress (buffer mode flushes it when a leg ends mid-turn). */
  private pendingText = "";
  private readonly flushedIds = new Set<string>();
  private usage: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
  private messageOutput = 0;

  /**
   * @param mode "stream": text from the token deltas; "buffer": from whole messages.
   * @param structured the answer is the result's structured output: text is not part of it.
   */
  constructor(
    public mode: "stream" | "buffer",
    readonly structured = false,
  ) {}

  /** Whether the last message ended asking for the client's tools (then reset). */
  takePause(): string[] | null {
    if (!this.pause) return null;
    this.pause = false;
    this.textSoFar = false; // the next leg's answer starts without a separator
    const ids = this.legCalls;
    this.legCalls = [];
    return ids;
  }

  /** The upstream usage since the last call (the API calls of one HTTP leg), from the stream events. */
  takeUsage(): TokenUsage {
    const u = this.usage;
    this.usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
    return u;
  }

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
    if (!text || this.structured) return [];
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
      this.pendingText = "";
      this.calls.clear();
      const u = e.message?.usage;
      const cacheRead = u?.cache_read_input_tokens ?? 0;
      this.usage.promptTokens += (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + cacheRead;
      this.usage.cachedTokens += cacheRead;
      this.messageOutput = u?.output_tokens ?? 0;
      this.usage.completionTokens += this.messageOutput;
      return [];
    }
    if (e.type === "message_delta") {
      if (this.streaming) this.streaming.finished = true;
      const out = e.usage?.output_tokens;
      if (typeof out === "number") {
        this.usage.completionTokens += out - this.messageOutput;
        this.messageOutput = out;
      }
    }
    if (e.type === "message_stop") {
      if (this.streaming && !this.streaming.finished) this.interrupted = true;
      if (this.legCalls.length) return this.endLeg();
      return [];
    }
    if (e.type === "content_block_start" && e.content_block?.type === "tool_use") {
      const name = e.content_block.name ?? "";
      if (name.startsWith(CLIENT_PREFIX) && e.content_block.id) {
        this.calls.set(e.index ?? -1, { id: e.content_block.id, name: name.slice(CLIENT_PREFIX.length), json: "" });
      }
      return [];
    }
    if (e.type === "content_block_delta" && e.delta?.type === "input_json_delta") {
      const call = this.calls.get(e.index ?? -1);
      if (call) call.json += e.delta.partial_json ?? "";
      return [];
    }
    if (e.type === "content_block_stop") {
      const call = this.calls.get(e.index ?? -1);
      if (!call) return [];
      this.calls.delete(e.index ?? -1);
      return [this.toolCall(call.id, call.name, call.json || "{}")];
    }
    if (e.type !== "content_block_delta" || !e.delta) return [];
    const id = this.streaming?.id ?? null;
    if (this.mode === "buffer") {
      if (e.delta.type === "text_delta") this.pendingText += e.delta.text ?? "";
      return [];
    }
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
    if (id && this.flushedIds.has(id)) return [];
    const streamed = id !== null && this.streamedIds.has(id);
    // Buffer mode: this whole message carries the text the deltas did; it need not be flushed again.
    if (this.mode === "buffer" && id !== null && id === this.streaming?.id) this.pendingText = "";
    const out: ChatEvent[] = [];
    for (const block of m.content ?? []) {
      if (block.type === "text") out.push(...this.text(id, block.text ?? ""));
      else if (block.type === "thinking" && block.thinking) out.push({ type: "reasoning", text: block.thinking });
      else if (block.type === "tool_use" && !streamed && block.id && block.name?.startsWith(CLIENT_PREFIX)) {
        out.push(this.toolCall(block.id, block.name.slice(CLIENT_PREFIX.length), JSON.stringify(block.input ?? {})));
      }
    }
    if (!streamed && this.legCalls.length) out.push(...this.endLeg());
    return out;
  }

  private toolCall(id: string, name: string, args: string): ChatEvent {
    this.legCalls.push(id);
    return { type: "tool_call", index: this.legCalls.length - 1, id, name, arguments: args };
  }

  /**
   * The message asked for the client's tools: the leg ends. In buffer mode the message's text has
   * not been emitted yet (it comes with the whole message, after this): emit it now.
   */
  private endLeg(): ChatEvent[] {
    this.pause = true;
    const id = this.streaming?.id ?? null;
    if (this.mode !== "buffer" || !id || !this.streamedIds.has(id)) return [];
    this.flushedIds.add(id);
    const text = this.pendingText;
    this.pendingText = "";
    return this.text(id, text);
  }
}
