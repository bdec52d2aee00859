import { EMPTY_FILTER, type RequestFilter } from "./filters";

/** The filter a requests page query string names (the inverse of filterQuery). */
export function filterFromQuery(params: Pick<URLSearchParams, "get">): RequestFilter {
  return {
    model: params.get("model") ?? "",
    provider: params.get("provider") ?? "",
    status: params.get("status") ?? "",
    sessionId: params.get("session") ?? "",
    range: params.get("range") ?? EMPTY_FILTER.range,
    keyId: params.get("key") ?? "",
    host: params.get("host") ?? "",
    tool: params.get("tool") ?? "",
  };
}

/** The filter as the requests page's query string (empty fields and the default range left out). */
export function filterQuery(f: RequestFilter): string {
  const q = new URLSearchParams();
  if (f.model) q.set("model", f.model);
  if (f.provider) q.set("provider", f.provider);
  if (f.status) q.set("status", f.status);
  if (f.sessionId) q.set("session", f.sessionId);
  if (f.keyId) q.set("key", f.keyId);
  if (f.host) q.set("host", f.host);
  if (f.tool) q.set("tool", f.tool);
  if (f.range && f.range !== EMPTY_FILTER.range) q.set("range", f.range);
  return q.toString();
}

/**
 * The filter the user is building, ahead of the URL. Each change goes to the URL with
 * router.replace, which lands a moment later (later still on a busy machine): a change made before
 * the last one has landed builds on that last change, not on the URL. A URL that lands is either
 * one this filter sent (those sent after it are still on their way: the filter keeps them) or
 * another (back, forward, a link): that one wins.
 */
export class PendingFilter {
  private sent: string[] = [];

  constructor(
    private qs: string,
    private f: RequestFilter,
  ) {}

  /** The URL now shows `qs`, whose filter is `f`. */
  observe(qs: string, f: RequestFilter): void {
    if (qs === this.qs) return;
    this.qs = qs;
    const i = this.sent.indexOf(qs);
    if (i >= 0) {
      this.sent.splice(0, i + 1);
      return;
    }
    this.sent = [];
    this.f = f;
  }

  /** A change by the user: the whole filter now, and its query string for the URL. */
  change(patch: Partial<RequestFilter>): { filter: RequestFilter; query: string } {
    this.f = { ...this.f, ...patch };
    const query = filterQuery(this.f);
    if (query !== this.qs && this.sent.at(-1) !== query) this.sent.push(query);
    return { filter: this.f, query };
  }
}
