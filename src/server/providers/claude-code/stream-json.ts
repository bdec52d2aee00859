/**
 * Claude Code's `--output-format stream-json` lines → chat events. Text comes from the partial
 * `stream_event` deltas (token by token); a whole `assistant` message whose text was not streamed
 * (the CLI's non-streaming retry) is emitted at once. Successive assistant messages of one run are
 * separated by a blank line. Sub-agent output (parent_tool_use_id set) is not part of the answer.
 */
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

interface Line {
  type?: string;
  subtype?: string;
  session_id?: string;
  model?: string;
  parent_tool_use_id?: string | null;
  event?: {
    type?: string;
    message?: { id?: string; model?: string };
    delta?: { type?: string; text?: string; thinking?: string };
  };
  message?: { id?: string; model?: string; content?: Array<{ type?: string; text?: string; thinking?: string }> };
}

export class StreamJsonState {
  sessionId: string | null = null;
  model: string | null = null;
  result: ClaudeResult | null = null;
  private currentId: string | null = null;
  private readonly streamedIds = new Set<string>();
  private textSoFar = false;
  private needsSeparator = false;

  /** Feeds one stdout line; returns the events it yields (none for lines that carry no answer). */
  push(raw: string): ChatEvent[] {
    const s = raw.trim();
    if (!s.startsWith("{")) return [];
    let line: Line;
    try {
      line = JSON.parse(s) as Line;
    } catch {
      return [];
    }
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

  private text(text: string): ChatEvent[] {
    if (!text) return [];
    const out: ChatEvent[] = [];
    if (this.needsSeparator && this.textSoFar) out.push({ type: "text", text: "\n\n" });
    this.needsSeparator = false;
    this.textSoFar = true;
    out.push({ type: "text", text });
    return out;
  }

  private onEvent(e: NonNullable<Line["event"]>): ChatEvent[] {
    if (e.type === "message_start") {
      this.currentId = e.message?.id ?? null;
      if (this.currentId) this.streamedIds.add(this.currentId);
      if (e.message?.model) this.model = e.message.model;
      this.needsSeparator = true;
      return [];
    }
    if (e.type !== "content_block_delta" || !e.delta) return [];
    if (e.delta.type === "text_delta") return this.text(e.delta.text ?? "");
    if (e.delta.type === "thinking_delta" && e.delta.thinking) return [{ type: "reasoning", text: e.delta.thinking }];
    return [];
  }

  private onAssistant(m: NonNullable<Line["message"]>): ChatEvent[] {
    if (m.id && this.streamedIds.has(m.id)) return [];
    if (m.id) this.streamedIds.add(m.id);
    this.needsSeparator = true;
    const out: ChatEvent[] = [];
    for (const block of m.content ?? []) {
      if (block.type === "text") out.push(...this.text(block.text ?? ""));
      else if (block.type === "thinking" && block.thinking) out.push({ type: "reasoning", text: block.thinking });
    }
    return out;
  }
}
