import "server-only";
import { Ollama } from "ollama";
import { env } from "../../env";

/** A client of its own per call (client.abort() would abort every stream of a shared one). */
export function ollamaClient(signal: AbortSignal): Ollama {
  const fetchWithSignal: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
  return new Ollama({ host: env().OLLAMA_URL, fetch: fetchWithSignal });
}
