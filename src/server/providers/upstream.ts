/**
 * The upstream host a request went to, by request id, for its record: a provider notes it when it
 * sends the request there (and clears it when no host could take the request), the recorder reads
 * it when it writes the record. Failed and cancelled requests carry it too, which a RunResult cannot
 * (a successful run also returns it as RunResult.upstreamHost). On globalThis: every route bundle
 * shares it.
 */
const g = globalThis as unknown as { __ccBridgeUpstreamHosts?: Map<string, string> };
const hosts = () => {
  g.__ccBridgeUpstreamHosts ??= new Map();
  return g.__ccBridgeUpstreamHosts;
};

/** The request `requestId` is (being) served by `host` (null: by none). */
export function noteUpstreamHost(requestId: string | undefined, host: string | null): void {
  if (!requestId) return;
  if (host === null) hosts().delete(requestId);
  else hosts().set(requestId, host);
}

/** The host noted for a request, if any. */
export const upstreamHostOf = (requestId: string): string | null => hosts().get(requestId) ?? null;

/** The request's record is written: its note is no longer needed. */
export function forgetUpstreamHost(requestId: string): void {
  hosts().delete(requestId);
}
