// The client's address, as recorded: the socket's, unless TRUST_PROXY says a proxy in front sets it.
import http from "node:http";

let installed = false;

/**
 * Next.js passes a client's own `X-Forwarded-For` through (it only fills the header when absent), so
 * anyone could write any address into the records. Unless a trusted proxy sets these headers
 * (TRUST_PROXY), replace them with the socket's address before Next.js sees the request.
 */
export function recordSocketAddress(): void {
  if (installed) return;
  installed = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage;
      delete req.headers["x-real-ip"];
      req.headers["x-forwarded-for"] = req.socket?.remoteAddress ?? "";
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof emit;
}
