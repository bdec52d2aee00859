import "server-only";
import { env } from "../../env";
import { ollamaClient } from "./client";

export interface OllamaModel {
  name: string;
  modifiedAt: number;
  /** The model version's digest (a changed model has a new one). */
  digest: string;
}

/** How long the model list may wait for Ollama, /api/tags and /api/show together. */
export const MODEL_LIST_BUDGET_MS = 2_000;

let cache: { at: number; models: OllamaModel[] } | undefined;

/** The live Ollama models (GET /api/tags, 2 s timeout, cached MODELS_CACHE_MS); [] when Ollama is down. */
export async function listOllamaModels(): Promise<OllamaModel[]> {
  const ttl = env().MODELS_CACHE_MS;
  if (cache && Date.now() - cache.at < ttl) return cache.models;
  try {
    const res = await ollamaClient(AbortSignal.timeout(MODEL_LIST_BUDGET_MS)).list();
    const models = res.models.map((m) => ({
      name: m.name,
      modifiedAt: new Date(m.modified_at).getTime() || 0,
      digest: typeof m.digest === "string" ? m.digest : "",
    }));
    cache = { at: Date.now(), models };
    return models;
  } catch {
    return [];
  }
}

/** Ollama's version, or null when it does not answer within 2 s. */
export async function ollamaVersion(): Promise<string | null> {
  try {
    return (await ollamaClient(AbortSignal.timeout(2_000)).version()).version;
  } catch {
    return null;
  }
}
