import "server-only";
import { Ollama } from "ollama";
import { env } from "../../env";
import { ollamaFetch } from "./transport";

/** A client of its own per call (client.abort() would abort every stream of a shared one). */
export function ollamaClient(signal: AbortSignal): Ollama {
  const e = env();
  return new Ollama({
    host: e.OLLAMA_URL,
    fetch: ollamaFetch(signal, { connectTimeoutMs: e.OLLAMA_CONNECT_TIMEOUT_MS }),
  });
}
