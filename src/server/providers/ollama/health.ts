import "server-only";
import { env } from "../../env";
import { hostVersions } from "./models";
import { ollamaHosts } from "./route";
import { redactUrls } from "./url";

/** One host as /health shows it. */
export interface HostHealth {
  name: string;
  /** Its URL without user:password. */
  url: string;
  state: "up" | "down";
  version: string | null;
  /** Its models (`/api/tags`) and the ones loaded now (`/api/ps`), as last seen. */
  models: string[];
  loaded: string[];
  in_flight: number;
  /** Failures in a row; when it went down, why, and when it is probed next. */
  failures: number;
  down_since: string | null;
  last_error: string | null;
  retry_at: string | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * /health's `ollama`: `url` (OLLAMA_URL without credentials), `reachable` (some host answered now),
 * `version` (the first that did) and `hosts`, one entry per host. A host's lists are fetched again
 * when older than MODELS_CACHE_MS.
 */
export async function hostsHealth() {
  const hosts = ollamaHosts();
  const ttl = env().MODELS_CACHE_MS;
  const [versions] = await Promise.all([
    hostVersions(),
    ...hosts.filter((h) => h.state === "up" && h.stale(ttl)).map((h) => h.refresh()),
  ]);
  const version = versions.find((v) => v !== null) ?? null;
  return {
    url: redactUrls(env().OLLAMA_URL),
    reachable: version !== null,
    version,
    hosts: hosts.map(
      (h, i): HostHealth => ({
        name: h.name,
        url: h.safeUrl,
        state: h.state,
        version: versions[i] ?? null,
        models: h.tags?.models.map((m) => m.name) ?? [],
        loaded: [...h.loaded],
        in_flight: h.inFlight,
        failures: h.failures,
        down_since: iso(h.downSince),
        last_error: h.lastError,
        retry_at: iso(h.state === "down" ? h.retryAt : null),
      }),
    ),
  };
}
