import "server-only";
import { Ollama } from "ollama";
import { env } from "../../env";
import { ollamaFetch } from "./transport";

/**
 * A client of its own per call (client.abort() would abort every stream of a shared one), for one
 * Ollama host (a URL of OLLAMA_URL; its user:password go as Basic auth).
 */
export function ollamaClient(signal: AbortSignal, hostUrl: string): Ollama {
  return new Ollama({
    host: hostUrl,
    fetch: ollamaFetch(signal, { connectTimeoutMs: env().OLLAMA_CONNECT_TIMEOUT_MS }),
  });
}
