import "server-only";
/**
 * The Ollama hosts of OLLAMA_URL (one URL, or several separated by commas) and what the gateway knows
 * of each, for the whole process (on globalThis: every route bundle shares it):
 * - its models (`/api/tags`, cached MODELS_CACHE_MS) and the models it has loaded (`/api/ps`, same
 *   cache, and a model it just answered with counts as loaded);
 * - its requests in flight (from the start of an attempt to the end of the answer);
 * - its state, a circuit breaker: a host that refused a connection, did not connect in time, answered
 *   5xx or cut its answer before the first byte went out is `down`; it is probed (`/api/version`,
 *   `/api/tags`, `/api/ps`) after 1 s, then 2, 4… up to 30 s, and is `up` again once a probe answers.
 *   The failure count goes back to zero only when a request succeeds on it.
 * A host is named without its credentials (`gpu1:11434`, plus its path when it has one): that name is
 * what records, metrics and the console show. Routing is route.ts's.
 */
import { ollamaClient } from "./client";
import { OllamaHttpError, OllamaStreamBroken, OllamaUnreachable } from "./transport";
import { redactUrl } from "./url";

export interface HostModel {
  name: string;
  modifiedAt: number;
  /** The model version's digest (a changed model has a new one). */
  digest: string;
}

/** How long a list (`/api/tags`, `/api/ps`, `/api/version`) may take before it counts as not answered. */
export const LIST_TIMEOUT_MS = 2_000;
/** The first probe of a host that went down, then twice as long after each failure, up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

/** Whether a failure of a host (before any byte went to the client) marks it down and moves on. */
export function isHostFailure(e: unknown): boolean {
  if (e instanceof OllamaUnreachable || e instanceof OllamaStreamBroken) return true;
  return e instanceof OllamaHttpError && e.status >= 500;
}

const detail = (e: unknown): string => {
  if (e instanceof OllamaHttpError) return `HTTP ${e.status}: ${e.message}`.slice(0, 200);
  return String((e as Error)?.message ?? e).slice(0, 200);
};

/** The name of a host in records, metrics and the console: host[:port][/path], never credentials. */
export function hostName(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.replace(/\/+$/, "");
    return `${u.host}${path}`;
  } catch {
    return redactUrl(url);
  }
}

/** `qwen3` is `qwen3:latest`, as Ollama has it. */
export const fullName = (model: string) => (model.includes(":") ? model : `${model}:latest`);

export class OllamaHost {
  readonly name: string;
  /** The URL without user:password (/health shows it to the admin). */
  readonly safeUrl: string;
  inFlight = 0;
  state: "up" | "down" = "up";
  /** Failures in a row (attempts and probes); back to 0 when a request succeeds here. */
  failures = 0;
  /** Attempts that failed here and marked it down, since the process started. */
  failuresTotal = 0;
  downSince: number | null = null;
  lastError: string | null = null;
  /** When the next probe of a down host runs. */
  retryAt: number | null = null;
  /** The last good `/api/tags` answer (null: never answered). */
  tags: { at: number; models: HostModel[] } | null = null;
  /** The models loaded now (`/api/ps`), with the models answered since. */
  loaded = new Set<string>();
  version: string | null = null;
  /** When a request was last sent here (the tie-break among equally busy hosts). */
  lastPickedAt = 0;
  private refreshing: Promise<void> | null = null;
  private lastRefreshAt = 0;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly url: string,
    readonly index: number,
    name: string,
  ) {
    this.name = name;
    this.safeUrl = redactUrl(url);
  }

  /** Whether its last good list names the model (`qwen3` as `qwen3:latest`). */
  has(model: string): boolean {
    const want = fullName(model);
    return this.tags?.models.some((m) => m.name === model || m.name === want) ?? false;
  }

  isLoaded(model: string): boolean {
    return this.loaded.has(fullName(model));
  }

  /** Whether its lists are older than `ttl` (or were never fetched). */
  stale(ttl: number): boolean {
    return !this.tags || Date.now() - this.tags.at >= ttl;
  }

  /**
   * Asks the host for its models, its loaded models and its version (one at a time per host; a call
   * made meanwhile waits for the one under way). A connection failure marks it down; a slow answer
   * is only not used. A down host is brought back only by its probe.
   */
  refresh(opts: { minAgeMs?: number } = {}): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (opts.minAgeMs !== undefined && Date.now() - this.lastRefreshAt < opts.minAgeMs) return Promise.resolve();
    this.lastRefreshAt = Date.now();
    this.refreshing = this.fetchLists(false).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async fetchLists(probe: boolean): Promise<void> {
    const client = ollamaClient(AbortSignal.timeout(LIST_TIMEOUT_MS), this.url);
    const [tags, ps, version] = await Promise.allSettled([client.list(), client.ps(), client.version()]);
    if (tags.status === "fulfilled") {
      this.tags = {
        at: Date.now(),
        models: tags.value.models.map((m) => ({
          name: m.name,
          modifiedAt: new Date(m.modified_at).getTime() || 0,
          digest: typeof m.digest === "string" ? m.digest : "",
        })),
      };
      // An Ollama without /api/ps (or a proxy that does not pass it): nothing is known to be loaded.
      this.loaded = new Set(ps.status === "fulfilled" ? ps.value.models.map((m) => fullName(m.name)) : []);
      if (version.status === "fulfilled") this.version = version.value.version;
      if (this.state === "down" && probe) this.markUp();
      return;
    }
    const reason = tags.reason;
    if (reason instanceof OllamaUnreachable || (reason instanceof OllamaHttpError && reason.status >= 500)) {
      this.markDown(reason, false);
    } else if (probe && this.state === "down") {
      this.scheduleProbe();
    }
  }

  /** A request is being sent here: counted in flight until the returned function is called. */
  lease(): () => void {
    this.inFlight++;
    this.lastPickedAt = Date.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
    };
  }

  /** A request got its first answer here: the host works and has the model loaded. */
  served(model: string): void {
    this.loaded.add(fullName(model));
    this.failures = 0;
    if (this.state === "down") this.markUp();
  }

  /** A request failed here before its first byte (or a list could not connect): down, probed with back-off. */
  markDown(e: unknown, attempt = true): void {
    if (attempt) this.failuresTotal++;
    this.failures++;
    this.lastError = detail(e);
    if (this.state !== "down") {
      this.state = "down";
      this.downSince = Date.now();
    }
    this.scheduleProbe();
  }

  private markUp(): void {
    this.state = "up";
    this.downSince = null;
    this.retryAt = null;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private scheduleProbe(): void {
    const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, this.failures - 1));
    this.retryAt = Date.now() + wait;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      // Not through refresh(): a list fetch under way (which cannot bring the host back) must not stand in for it.
      if (this.state === "down") void this.fetchLists(true);
    }, wait);
    this.probeTimer.unref?.();
  }
}

/** The URLs of OLLAMA_URL, in order. */
export const ollamaUrls = (raw: string): string[] =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Names for the hosts: host[:port][/path], with `#2`… added when two URLs would be named alike. */
function namesOf(urls: string[]): string[] {
  const seen = new Map<string, number>();
  return urls.map((u) => {
    const base = hostName(u);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

const g = globalThis as unknown as { __ccBridgeOllamaHosts?: { raw: string; hosts: OllamaHost[] } };

/** The hosts of an OLLAMA_URL value (the same objects for the same value, for the whole process). */
export function hostsOf(raw: string): OllamaHost[] {
  if (g.__ccBridgeOllamaHosts?.raw !== raw) {
    const urls = ollamaUrls(raw);
    const names = namesOf(urls);
    g.__ccBridgeOllamaHosts = { raw, hosts: urls.map((u, i) => new OllamaHost(u, i, names[i] ?? u)) };
  }
  return g.__ccBridgeOllamaHosts.hosts;
}
