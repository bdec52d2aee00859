// The client's address, as recorded. The server (scripts/serve.mjs) hands over the socket's address in
// its own header on every request, overwriting any value a client sent under that name.

/** Keep in step with CLIENT_ADDRESS_HEADER in scripts/serve.mjs. */
export const CLIENT_ADDRESS_HEADER = "x-cc-bridge-client-address";

/**
 * The socket's address; with TRUST_PROXY, the first `X-Forwarded-For` entry (or `X-Real-IP`) that the
 * proxy in front sets, falling back to the socket's. A client's own `X-Forwarded-For` is never believed
 * without TRUST_PROXY. Null when unknown (a server other than scripts/serve.mjs, e.g. `next dev`).
 */
export function clientAddress(headers: Headers, trustProxy: boolean): string | null {
  const socket = headers.get(CLIENT_ADDRESS_HEADER) || null;
  if (!trustProxy) return socket;
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || socket;
}
