/** Ollama failures → OpenAI errors with the right status. */
import { ApiError, modelNotFound } from "../../openai/errors";

const causeOf = (e: unknown): string => {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
};

export function ollamaError(e: unknown, model: string, ollamaUrl: string): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as { name?: string; status_code?: number; error?: string; message?: string };
  if (err?.name === "ResponseError" && typeof err.status_code === "number") {
    const detail = err.error ?? err.message ?? "";
    if (err.status_code === 404) return modelNotFound(model);
    if (err.status_code === 400) {
      return new ApiError(400, `Ollama rejected the request: ${detail}`, { code: "upstream_bad_request" });
    }
    return new ApiError(502, `Ollama answered ${err.status_code}: ${detail}`, { code: "upstream_error" });
  }
  if (err?.name === "TypeError" || /fetch failed|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(causeOf(e))) {
    return new ApiError(503, `Ollama is unreachable at OLLAMA_URL=${ollamaUrl} (${causeOf(e)}).`, {
      code: "upstream_unavailable",
    });
  }
  const msg = err?.message ?? String(e);
  if (/not found/i.test(msg) && /model/i.test(msg)) return modelNotFound(model);
  return new ApiError(502, `Ollama failed: ${msg}`, { code: "upstream_error" });
}
