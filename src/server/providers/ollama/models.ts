import "server-only";
import { env } from "../../env";
import { ollamaClient } from "./client";
import { fullName, type HostModel, LIST_TIMEOUT_MS, type OllamaHost } from "./hosts";
import { ollamaHosts } from "./route";

/** A model as the list shows it, with the URL of a host that has it (where /api/show asks). */
export type OllamaModel = HostModel & { hostUrl: string };

/** How long the model list may wait for Ollama, /api/tags and /api/show together. */
export const MODEL_LIST_BUDGET_MS = LIST_TIMEOUT_MS;

/** Each host's lists, fetched again when older than MODELS_CACHE_MS (a down host waits for its probe). */
async function freshHosts(): Promise<OllamaHost[]> {
  const hosts = ollamaHosts();
  const ttl = env().MODELS_CACHE_MS;
  await Promise.all(hosts.filter((h) => h.state === "up" && h.stale(ttl)).map((h) => h.refresh()));
  return hosts;
}

/**
 * The live Ollama models: the union of the lists (GET /api/tags, 2 s timeout, cached MODELS_CACHE_MS)
 * of the hosts that are up, each name once (`qwen3` and `qwen3:latest` are one); [] when none answers.
 * A host's failure is not cached: the next call asks again.
 */
export async function listOllamaModels(): Promise<OllamaModel[]> {
  const hosts = await freshHosts();
  const ttl = env().MODELS_CACHE_MS;
  const seen = new Map<string, OllamaModel>();
  for (const h of hosts) {
    if (h.state !== "up" || !h.tags || (ttl > 0 && h.stale(ttl))) continue;
    for (const m of h.tags.models) {
      const key = fullName(m.name);
      const had = seen.get(key);
      if (!had || m.modifiedAt > had.modifiedAt) seen.set(key, { ...m, name: had?.name ?? m.name, hostUrl: h.url });
    }
  }
  return [...seen.values()];
}

/** Each host's version, asked now (null: no answer within 2 s), in OLLAMA_URL's order. */
export async function hostVersions(): Promise<(string | null)[]> {
  return Promise.all(
    ollamaHosts().map(async (h) => {
      try {
        const v = (await ollamaClient(AbortSignal.timeout(LIST_TIMEOUT_MS), h.url).version()).version;
        h.version = v;
        return v;
      } catch {
        return null;
      }
    }),
  );
}

/** A version of Ollama (of the first host that answers), or null when none answers within 2 s. */
export async function ollamaVersion(): Promise<string | null> {
  return (await hostVersions()).find((v) => v !== null) ?? null;
}
