import "server-only";
import type { ChatResponse } from "ollama";
import { env } from "../../env";
import type { ChatEvent, FinishReason, Provider, RunInput, RunResult } from "../types";
import { ollamaClient } from "./client";
import { ollamaError } from "./errors";
import { toOllamaRequest } from "./request";
import { type Piece, ThinkSplitter } from "./think";

export const OLLAMA_PREFIX = "ollama/";

const newCallId = () => `call_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;

async function* run(input: RunInput): AsyncGenerator<ChatEvent, RunResult> {
  const { signal } = input;
  const url = env().OLLAMA_URL;
  const fail = (e: unknown): never => {
    if (signal.aborted) throw signal.reason;
    throw ollamaError(e, input.model, url);
  };
  input.started();
  const client = ollamaClient(signal);
  const request = toOllamaRequest(input.request, input.upstreamModel, input.messages);
  const stream = await client.chat({ ...request, stream: true }).catch(fail);

  let toolIndex = 0;
  let last: ChatResponse | undefined;
  // Thinking always comes back as reasoning, also when a model inlines it as <think>…</think>.
  const think = new ThinkSplitter();
  const events = (pieces: Piece[]): ChatEvent[] => pieces.map((p) => ({ type: p.type, text: p.text }));
  try {
    for await (const part of stream) {
      const m = part.message;
      if (m?.thinking) yield { type: "reasoning", text: m.thinking };
      if (m?.content) yield* events(think.push(m.content));
      for (const call of m?.tool_calls ?? []) {
        const id = (call as { id?: string }).id || newCallId();
        const args = call.function.arguments;
        const text = typeof args === "string" ? args : JSON.stringify(args ?? {});
        yield { type: "tool_call", index: toolIndex++, id, name: call.function.name, arguments: text };
      }
      if (part.done) {
        last = part;
        yield* events(think.flush());
      }
    }
  } catch (e) {
    fail(e);
  }
  if (!last) fail(new Error("the stream ended without a final message"));
  const done = last as ChatResponse;
  const finishReason: FinishReason = toolIndex > 0 ? "tool_calls" : done.done_reason === "length" ? "length" : "stop";
  return {
    finishReason,
    usage: { promptTokens: done.prompt_eval_count ?? 0, completionTokens: done.eval_count ?? 0, cachedTokens: 0 },
    costUsd: null,
    upstreamModel: done.model || input.upstreamModel,
  };
}

export const ollamaProvider: Provider = { id: "ollama", replaysHistory: true, run };
