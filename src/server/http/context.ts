import { randomBytes } from "node:crypto";
import type { RequestContext } from "../usage/recorder";

export const newRequestId = () => `req_${randomBytes(12).toString("hex")}`;

export function requestContext(request: Request): RequestContext {
  const h = request.headers;
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return {
    id: newRequestId(),
    startedAt: Date.now(),
    method: request.method,
    path: new URL(request.url).pathname,
    userAgent: h.get("user-agent")?.slice(0, 512) ?? null,
    clientAddress: forwarded || h.get("x-real-ip") || null,
  };
}
