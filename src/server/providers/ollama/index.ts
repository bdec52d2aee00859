import "server-only";
import type { ChatResponse } from "ollama";
import { OllamaSteps } from "../../steps/ollama";
import type { ChatEvent, FinishReason, Provider, RunInput, RunResult } from "../types";
import { ollamaClient } from "./client";
import { ollamaError } from "./errors";
import { toOllamaRequest } from "./request";
import { onFirstHost } from "./route";
import { type Piece, ThinkSplitter } from "./think";

export const OLLAMA_PREFIX = "ollama/";

const newCallId = () => `call_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;

type Events = AsyncGenerator<ChatEvent, Omit<RunResult, "upstreamHost">>;

/** One host's stream as chat events; returns the run's result. */
async function* events(stream: AsyncIterable<ChatResponse>, input: RunInput): Events {
  let toolIndex = 0;
  let last: ChatResponse | undefined;
  // Thinking always comes back as reasoning, also when a model inlines it as <think>…</think>.
  const think = new ThinkSplitter();
  const pieces = (ps: Piece[]): ChatEvent[] => ps.map((p) => ({ type: p.type, text: p.text }));
  const steps = new OllamaSteps(input.requestId, input.upstreamModel);
  for await (const part of stream) {
    const m = part.message;
    if (m?.thinking) yield { type: "reasoning", text: m.thinking };
    if (m?.content) yield* pieces(think.push(m.content));
    for (const call of m?.tool_calls ?? []) {
      const id = (call as { id?: string }).id || newCallId();
      const args = call.function.arguments;
      const text = typeof args === "string" ? args : JSON.stringify(args ?? {});
      steps.toolCall(id, call.function.name, args);
      yield { type: "tool_call", index: toolIndex++, id, name: call.function.name, arguments: text };
    }
    if (part.done) {
      last = part;
      yield* pieces(think.flush());
    }
  }
  if (!last) throw new Error("the stream ended without a final message");
  steps.done(last.model || input.upstreamModel, last.prompt_eval_count ?? 0, last.eval_count ?? 0);
  const finishReason: FinishReason = toolIndex > 0 ? "tool_calls" : last.done_reason === "length" ? "length" : "stop";
  return {
    finishReason,
    usage: { promptTokens: last.prompt_eval_count ?? 0, completionTokens: last.eval_count ?? 0, cachedTokens: 0 },
    costUsd: null,
    upstreamModel: last.model || input.upstreamModel,
  };
}

/**
 * A chat on the Ollama host route.ts picks: the stream is started and its first event awaited on one
 * host after another until one answers (a host that fails before that is marked down); from then on
 * the run is that host's.
 */
async function* run(input: RunInput): AsyncGenerator<ChatEvent, RunResult> {
  const { signal } = input;
  input.started();
  const request = toOllamaRequest(input.request, input.upstreamModel, input.messages);
  const served = await onFirstHost(
    {
      model: input.model,
      upstreamModel: input.upstreamModel,
      sessionId: input.session?.id ?? null,
      requestId: input.requestId,
      signal,
    },
    async (host) => {
      const stream = await ollamaClient(signal, host.url).chat({ ...request, stream: true });
      const it = events(stream, input);
      return { it, first: await it.next() };
    },
  );
  const { host, value, release } = served;
  const { it } = value;
  try {
    let step = value.first;
    while (!step.done) {
      yield step.value;
      step = await it.next();
    }
    return { ...step.value, upstreamHost: host.name };
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw ollamaError(e, input.model, host.url);
  } finally {
    release();
    await it.return(undefined as never).catch(() => {});
  }
}

export const ollamaProvider: Provider = { id: "ollama", replaysHistory: true, run };
