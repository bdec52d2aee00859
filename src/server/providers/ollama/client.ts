import "server-only";
import { Ollama } from "ollama";
import { env } from "../../env";
import { ollamaFetch } from "./transport";

/** A client of its own per call (client.abort() would abort every stream of a shared one). */
export function ollamaClient(signal: AbortSignal): Ollama {
  return new Ollama({ host: env().OLLAMA_URL, fetch: ollamaFetch(signal) });
}
