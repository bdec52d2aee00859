import "server-only";
import { ClientCancelled, runSignal } from "../chat/cancel";
import { env } from "../env";
import type { EmbeddingsRequest } from "../openai/embeddings-schema";
import { ApiError, badRequest } from "../openai/errors";
import { OLLAMA_PREFIX } from "../providers/ollama";
import { ollamaClient } from "../providers/ollama/client";
import { ollamaError } from "../providers/ollama/errors";
import { onFirstHost } from "../providers/ollama/route";
import { type ResolvedModel, timeoutError } from "../providers/registry";
import type { RunResult } from "../providers/types";
import type { RequestRecorder } from "../usage/recorder";

/** A vector as OpenAI's base64 encoding: float32 bytes (little-endian on every platform Node runs on here). */
export function toBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

function route(model: ResolvedModel) {
  const r = model.route;
  if (r.provider.id !== "ollama") {
    throw new ApiError(
      404,
      `The model \`${model.requested.slice(0, 100)}\` is a Claude Code chat model and has no embeddings. Use an Ollama embedding model as ${OLLAMA_PREFIX}<name> (e.g. ${OLLAMA_PREFIX}nomic-embed-text).`,
      { code: "model_not_found", param: "model" },
    );
  }
  return r;
}

/** POST /v1/embeddings through Ollama's /api/embed; one record with the prompt tokens. */
export async function createEmbeddings(
  req: EmbeddingsRequest,
  model: ResolvedModel,
  recorder: RequestRecorder,
  signal: AbortSignal,
) {
  const r = route(model);
  const run = runSignal(signal, r.timeoutMs, () => timeoutError(r));
  run.startTimer();
  try {
    const input = typeof req.input === "string" ? [req.input] : req.input;
    // Routed as chats are (providers/ollama/route.ts): a host that has the model, failing over.
    const served = await onFirstHost(
      {
        model: req.model,
        upstreamModel: r.upstreamModel,
        sessionId: null,
        requestId: recorder.ctx.id,
        signal: run.signal,
      },
      (host) =>
        ollamaClient(run.signal, host.url).embed({
          model: r.upstreamModel,
          input,
          ...(req.dimensions ? { dimensions: req.dimensions } : {}),
        }),
    );
    served.release();
    const res = served.value;
    recorder.markFirstToken();
    const wrong = res.embeddings.find((v) => req.dimensions && v.length !== req.dimensions);
    if (wrong) {
      throw badRequest(
        `The model \`${req.model}\` returns ${wrong.length} dimensions and cannot honour dimensions=${req.dimensions}.`,
        "dimensions",
        "invalid_value",
      );
    }
    const base64 = req.encoding_format === "base64";
    const tokens = res.prompt_eval_count ?? 0;
    const result: RunResult = {
      finishReason: "stop",
      usage: { promptTokens: tokens, completionTokens: 0, cachedTokens: 0 },
      costUsd: null,
      upstreamModel: res.model || r.upstreamModel,
      upstreamHost: served.host.name,
    };
    recorder.prompt = JSON.stringify(input);
    recorder.answer = `${res.embeddings.length} embedding(s) of ${res.embeddings[0]?.length ?? 0} dimensions`;
    await recorder.finish({ status: "ok", result });
    return {
      object: "list" as const,
      data: res.embeddings.map((v, index) => ({
        object: "embedding" as const,
        index,
        embedding: base64 ? toBase64(v) : v,
      })),
      model: model.name,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  } catch (e) {
    if (e instanceof ClientCancelled) throw e;
    throw e instanceof ApiError ? e : ollamaError(e, req.model, env().OLLAMA_URL.split(",")[0] ?? "");
  } finally {
    run.dispose();
  }
}
