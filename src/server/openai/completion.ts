/** Builds OpenAI chat completion bodies and stream chunks from provider events. */
import type { ChatEvent, FinishReason, TokenUsage } from "../providers/types";

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export function toUsage(u: TokenUsage): CompletionUsage {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens },
  };
}

interface OutToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** Accumulates events into the one assistant message a non-streaming answer carries. */
export class MessageAccumulator {
  content = "";
  reasoning = "";
  readonly toolCalls: OutToolCall[] = [];

  add(e: ChatEvent): void {
    if (e.type === "text") this.content += e.text;
    else if (e.type === "reasoning") this.reasoning += e.text;
    else if (e.type === "tool_call") {
      const existing = this.toolCalls[e.index];
      if (existing) existing.function.arguments += e.arguments;
      else this.toolCalls[e.index] = { id: e.id, type: "function", function: { name: e.name, arguments: e.arguments } };
    }
  }

  /** The assistant message in OpenAI form, as stored in a session and sent back. */
  message() {
    return {
      role: "assistant" as const,
      content: this.toolCalls.length && !this.content ? null : this.content,
      refusal: null,
      ...(this.reasoning ? { reasoning_content: this.reasoning } : {}),
      ...(this.toolCalls.length ? { tool_calls: this.toolCalls } : {}),
    };
  }
}

export class CompletionBuilder {
  readonly created = Math.floor(Date.now() / 1000);

  constructor(
    readonly id: string,
    readonly model: string,
  ) {}

  completion(acc: MessageAccumulator, finishReason: FinishReason, usage: TokenUsage) {
    return {
      id: this.id,
      object: "chat.completion" as const,
      created: this.created,
      model: this.model,
      choices: [{ index: 0, message: acc.message(), logprobs: null, finish_reason: finishReason }],
      usage: toUsage(usage),
    };
  }

  private chunk(delta: Record<string, unknown>, finishReason: FinishReason | null = null) {
    return {
      id: this.id,
      object: "chat.completion.chunk" as const,
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
  }

  roleChunk() {
    return this.chunk({ role: "assistant", content: "", refusal: null });
  }

  eventChunk(e: Exclude<ChatEvent, { type: "step" }>) {
    if (e.type === "text") return this.chunk({ content: e.text });
    if (e.type === "reasoning") return this.chunk({ reasoning_content: e.text });
    return this.chunk({
      tool_calls: [{ index: e.index, id: e.id, type: "function", function: { name: e.name, arguments: e.arguments } }],
    });
  }

  finishChunk(finishReason: FinishReason) {
    return this.chunk({}, finishReason);
  }

  usageChunk(usage: TokenUsage) {
    return {
      id: this.id,
      object: "chat.completion.chunk" as const,
      created: this.created,
      model: this.model,
      choices: [],
      usage: toUsage(usage),
    };
  }
}
