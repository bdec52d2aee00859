import "server-only";
import { env } from "../../env";
import { ollamaClient } from "./client";
import type { OllamaModel } from "./models";

/**
 * Context windows of Ollama models, from `POST /api/show`: the model's `<arch>.context_length`, or
 * its `num_ctx` parameter when its Modelfile sets one (Ollama caps num_ctx at the model's length).
 * One answer per model version (name and digest) is kept for as long as that version is listed; a
 * failure is kept for MODELS_CACHE_MS, then asked again. A list waits for the answers it asked for
 * only until its deadline; later answers still fill the cache for the next list.
 */

/** How long one /api/show may take before it counts as failed. */
const SHOW_TIMEOUT_MS = 10_000;
/** /api/show requests in flight at once (a cold list of many models asks in small batches). */
const PARALLEL = 4;

type Entry = { window: number | null; failedAt?: number };
const cache = new Map<string, Entry>();
const inFlight = new Map<string, Promise<void>>();
const queue: Array<() => void> = [];
let running = 0;

const keyOf = (m: OllamaModel) => `${m.name}\u0000${m.digest}`;

/** The context window an /api/show answer states, or null when it states none. */
export function contextWindowOf(show: { model_info?: unknown; parameters?: unknown }): number | null {
  const info = (show.model_info ?? {}) as Record<string, unknown>;
  const arch = info["general.architecture"];
  const trained = typeof arch === "string" ? positive(info[`${arch}.context_length`]) : null;
  const params = typeof show.parameters === "string" ? show.parameters : "";
  const numCtx = positive(Number(/^\s*num_ctx\s+(\d+)\s*$/m.exec(params)?.[1]));
  if (numCtx !== null && trained !== null) return Math.min(numCtx, trained);
  return numCtx ?? trained;
}

const positive = (v: unknown): number | null => (typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : null);

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    return await work();
  } finally {
    running--;
    queue.shift()?.();
  }
}

function ask(m: OllamaModel): Promise<void> {
  const key = keyOf(m);
  const pending = slot(async () => {
    try {
      const show = await ollamaClient(AbortSignal.timeout(SHOW_TIMEOUT_MS), m.hostUrl).show({ model: m.name });
      cache.set(key, { window: contextWindowOf(show as { model_info?: unknown; parameters?: unknown }) });
    } catch {
      cache.set(key, { window: null, failedAt: Date.now() });
    }
  }).finally(() => inFlight.delete(key));
  inFlight.set(key, pending);
  return pending;
}

/**
 * The context windows of `models` (name → window or null), waiting for /api/show answers until
 * `deadline` (epoch ms) at the latest. Only answers this call asked for are waited on: one already
 * in flight for an earlier call is slow, and is not waited on again.
 */
export async function contextWindows(models: OllamaModel[], deadline: number): Promise<Map<string, number | null>> {
  const ttl = env().MODELS_CACHE_MS;
  const asked: Promise<void>[] = [];
  for (const m of models) {
    const key = keyOf(m);
    const hit = cache.get(key);
    const fresh = hit && (hit.failedAt === undefined || Date.now() - hit.failedAt < ttl);
    if (fresh || inFlight.has(key)) continue;
    for (const k of cache.keys()) if (k.startsWith(`${m.name}\u0000`)) cache.delete(k); // an older version
    asked.push(ask(m));
  }
  if (asked.length > 0) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => {
      timer = setTimeout(r, Math.max(0, deadline - Date.now()));
    });
    await Promise.race([Promise.all(asked), late]);
    clearTimeout(timer);
  }
  return new Map(models.map((m) => [m.name, cache.get(keyOf(m))?.window ?? null]));
}
