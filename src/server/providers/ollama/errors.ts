/** Ollama failures → OpenAI errors with the right status. */
import { ApiError, echo, modelNotFound } from "../../openai/errors";
import { OllamaHttpError, OllamaStreamBroken, OllamaUnreachable } from "./transport";
import { redactUrl } from "./url";

const MODEL_MISSING = /model\b.*\bnot found|not found.*\bmodel\b/i;

/**
 * Only a failure to get any response is "unreachable" (503, naming OLLAMA_URL); anything that goes
 * wrong once Ollama answered (an error status, a broken or cut stream, an `{"error"}` line) is a 502
 * upstream error, except "model not found" (404) and Ollama's own 400s.
 */
export function ollamaError(e: unknown, model: string, ollamaUrl: string): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof OllamaUnreachable) {
    return new ApiError(503, `Ollama is unreachable at OLLAMA_URL=${redactUrl(ollamaUrl)} (${e.message}).`, {
      code: "upstream_unavailable",
    });
  }
  if (e instanceof OllamaHttpError) {
    const pageMissing = /page not found/i.test(e.message);
    if (e.status === 404 && !pageMissing && (e.fromOllama || MODEL_MISSING.test(e.message)))
      return modelNotFound(model);
    if (e.status === 400 && e.fromOllama) {
      return new ApiError(400, `Ollama rejected the request: ${e.message}`, { code: "upstream_bad_request" });
    }
    const hint = e.fromOllama ? "" : ` (is OLLAMA_URL=${redactUrl(ollamaUrl)} an Ollama server?)`;
    return new ApiError(502, `Ollama answered ${e.status}: ${e.message}${hint}`, { code: "upstream_error" });
  }
  if (e instanceof OllamaStreamBroken) return new ApiError(502, e.message, { code: "upstream_error" });
  const msg = String((e as Error)?.message ?? e).slice(0, 500);
  if (MODEL_MISSING.test(msg)) return modelNotFound(model);
  return new ApiError(502, `Ollama failed: ${msg}`, { code: "upstream_error" });
}

/**
 * No host could take the request: every host that has the model is down (or failed just now), or none
 * of the hosts that answer has it while others do not answer. 503, naming the hosts (never credentials).
 */
export function noHostError(
  model: string,
  hosts: { name: string; why: string }[],
  reason: "down" | "unknown" = "down",
): ApiError {
  const list = hosts.map((h) => `${h.name} (${h.why})`).join(", ");
  const message =
    reason === "down"
      ? `Every Ollama host with the model \`${echo(model)}\` is down: ${list}. They are retried in the background.`
      : `No Ollama host that answers has the model \`${echo(model)}\`, and these do not answer: ${list}.`;
  return new ApiError(503, message.slice(0, 1000), { code: "upstream_unavailable", headers: { "retry-after": "1" } });
}
