import "server-only";
/**
 * Which Ollama host serves a request, and failing over to the next one. The rules:
 * 1. The hosts that have the model (their `/api/tags`) and are up. A model no host lists is looked up
 *    once more (lists at most a second old); then it is 404 `model_not_found` when every host
 *    answered, 503 `upstream_unavailable` when every host that has it is down (or some hosts never
 *    answered and none of the others has it).
 * 2. A session's turns go to the host of its previous turn while that host is up and has the model
 *    (Ollama's prompt cache is reused there).
 * 3. Otherwise the host with the model loaded (`/api/ps`, or it answered with it since) and the
 *    fewest requests in flight: a loaded model counts as SWAP_COST requests less, so a host without
 *    it is chosen once the loaded one has SWAP_COST more requests in flight (a swap costs seconds;
 *    a queue that long costs more). Equal hosts take turns.
 * 4. A host that fails before the first byte went to the client (refused, no connection in time, 5xx,
 *    an answer cut short) is marked down (hosts.ts) and the request goes to the next host in that
 *    order. After the first byte, a failure is the request's, as with one host: nothing is repeated.
 * With one host (one URL in OLLAMA_URL) every request is sent to it, down or not, and its own error
 * is the answer, as before there were several.
 */
import { env } from "../../env";
import { modelNotFound } from "../../openai/errors";
import { noteUpstreamHost } from "../upstream";
import { noHostError, ollamaError } from "./errors";
import { hostsOf, isHostFailure, type OllamaHost } from "./hosts";

/** What a loaded model is worth, in requests in flight (rule 3). */
export const SWAP_COST = 4;
/** Sessions remembered for rule 2 (the least recently used are forgotten first). */
const STICKY_MAX = 10_000;

/** The hosts of OLLAMA_URL, in order, with their state. */
export const ollamaHosts = (): OllamaHost[] => hostsOf(env().OLLAMA_URL);

const g = globalThis as unknown as { __ccBridgeOllamaSticky?: Map<string, string> };
const sticky = () => {
  g.__ccBridgeOllamaSticky ??= new Map();
  return g.__ccBridgeOllamaSticky;
};

function stick(sessionId: string, host: string): void {
  const m = sticky();
  m.delete(sessionId);
  m.set(sessionId, host);
  if (m.size > STICKY_MAX) m.delete(m.keys().next().value as string);
}

/** Stale lists of the hosts that are up are fetched again in the background (each one at a time). */
function refreshStale(hosts: OllamaHost[]): void {
  const ttl = env().MODELS_CACHE_MS;
  for (const h of hosts) if (h.state === "up" && h.stale(ttl)) void h.refresh({ minAgeMs: 1_000 });
}

/** The hosts to try for a model, best first (rules 1–3); throws 404 or 503 when there is none. */
export async function planHosts(model: string, upstreamModel: string, sessionId: string | null): Promise<OllamaHost[]> {
  const hosts = ollamaHosts();
  if (hosts.length === 1) return hosts;
  refreshStale(hosts);
  const holders = () => hosts.filter((h) => h.has(upstreamModel));
  let up = holders().filter((h) => h.state === "up");
  if (up.length === 0) {
    // Not listed by a host that is up: their lists may predate the model (or were never fetched).
    await Promise.all(hosts.filter((h) => h.state === "up").map((h) => h.refresh({ minAgeMs: 1_000 })));
    up = holders().filter((h) => h.state === "up");
  }
  if (up.length === 0) {
    const have = holders();
    if (have.length > 0) throw noHostError(model, have.map(why));
    const silent = hosts.filter((h) => !h.tags);
    if (silent.length === 0) throw modelNotFound(model);
    throw noHostError(model, silent.map(why), "unknown");
  }
  const score = (h: OllamaHost) => h.inFlight + (h.isLoaded(upstreamModel) ? 0 : SWAP_COST);
  const ranked = up.sort((a, b) => score(a) - score(b) || a.lastPickedAt - b.lastPickedAt || a.index - b.index);
  const own = sessionId ? sticky().get(sessionId) : undefined;
  const home = own ? ranked.find((h) => h.name === own) : undefined;
  return home ? [home, ...ranked.filter((h) => h !== home)] : ranked;
}

const why = (h: OllamaHost) => ({
  name: h.name,
  why: h.state === "down" ? (h.lastError ?? "no answer") : h.lastError ? `no list: ${h.lastError}` : "no answer yet",
});

export interface Served<T> {
  host: OllamaHost;
  value: T;
  /** The request is over on that host (its in-flight count); idempotent. */
  release: () => void;
}

export interface RouteInput {
  /** The model as the client named it (`ollama/qwen3:8b`), for messages. */
  model: string;
  upstreamModel: string;
  sessionId: string | null;
  /** The request's record id: the host is noted for the record (providers/upstream.ts). */
  requestId?: string;
  signal: AbortSignal;
}

/**
 * Runs `start` on the planned hosts in turn until one gives its first answer (rule 4); `start` must
 * resolve only once something can go to the client. Errors that are not a host's failure (a 404, a
 * 400…) end the request at once, as ApiErrors.
 */
export async function onFirstHost<T>(r: RouteInput, start: (host: OllamaHost) => Promise<T>): Promise<Served<T>> {
  const plan = await planHosts(r.model, r.upstreamModel, r.sessionId);
  let last: { host: OllamaHost; error: unknown } | undefined;
  for (const host of plan) {
    if (r.signal.aborted) throw r.signal.reason;
    // Gone down since the plan was made (another request found it so): not tried, unless it is the last.
    if (host.state === "down" && plan.length > 1 && host !== plan.at(-1)) continue;
    const release = host.lease();
    noteUpstreamHost(r.requestId, host.name);
    try {
      const value = await start(host);
      host.served(r.upstreamModel);
      if (r.sessionId) stick(r.sessionId, host.name);
      return { host, value, release };
    } catch (e) {
      release();
      if (r.signal.aborted) throw r.signal.reason;
      if (!isHostFailure(e)) throw ollamaError(e, r.model, host.url);
      host.markDown(e);
      last = { host, error: e };
    }
  }
  if (plan.length === 1 && ollamaHosts().length === 1 && last) throw ollamaError(last.error, r.model, last.host.url);
  noteUpstreamHost(r.requestId, null);
  const withModel = ollamaHosts().filter((h) => plan.includes(h) || h.has(r.upstreamModel));
  throw noHostError(r.model, withModel.map(why));
}
