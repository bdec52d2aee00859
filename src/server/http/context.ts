import { randomBytes } from "node:crypto";
import { env } from "../env";
import type { RequestContext } from "../usage/recorder";
import { clientAddress } from "./client-address";

/**
 * `req_` + the time in ms (12 hex digits) + 96 random bits (24 hex digits). Time first, so that records
 * arrive in id order: the primary keys of Request and RequestContent then grow at their right edge, and
 * a commit writes one index page for a batch instead of one per row (bench/writer.mjs: about a third of
 * a commit's cost at 4 to 16 rows per commit).
 */
export const newRequestId = () => `req_${Date.now().toString(16).padStart(12, "0")}${randomBytes(12).toString("hex")}`;

/**
 * THE client address of a request, for everything that needs one (the record, the console login's
 * throttle, the audit log of key changes): the socket's, or with TRUST_PROXY the proxy's
 * X-Forwarded-For (client-address.ts). A client's own X-Forwarded-For is never believed otherwise.
 */
export const addressOf = (request: Request): string | null => clientAddress(request.headers, env().TRUST_PROXY);

export function requestContext(request: Request): RequestContext {
  const h = request.headers;
  return {
    id: newRequestId(),
    startedAt: Date.now(),
    method: request.method,
    path: new URL(request.url).pathname,
    userAgent: h.get("user-agent")?.slice(0, 512) ?? null,
    clientAddress: addressOf(request),
    traceparent: h.get("traceparent")?.slice(0, 256) ?? null,
    tracestate: h.get("tracestate")?.slice(0, 512) ?? null,
    agentSteps: h.get("x-agent-steps")?.slice(0, 32) ?? null,
  };
}
