import { randomBytes } from "node:crypto";
import { env } from "../env";
import type { RequestContext } from "../usage/recorder";
import { clientAddress } from "./client-address";

export const newRequestId = () => `req_${randomBytes(12).toString("hex")}`;

export function requestContext(request: Request): RequestContext {
  const h = request.headers;
  return {
    id: newRequestId(),
    startedAt: Date.now(),
    method: request.method,
    path: new URL(request.url).pathname,
    userAgent: h.get("user-agent")?.slice(0, 512) ?? null,
    clientAddress: clientAddress(h, env().TRUST_PROXY),
  };
}
