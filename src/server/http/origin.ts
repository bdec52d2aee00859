import "server-only";
import { env } from "../env";
import { ApiError } from "../openai/errors";

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i;

/** The host name of a Host header value (`[::1]:8080` → `[::1]`, `a.b:80` → `a.b`). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  return h.split(":")[0] ?? "";
}

const forbidden = (message: string, code: string) =>
  new ApiError(403, message, { code, type: "invalid_request_error" });

/**
 * Refuses what a web page could make a browser send to us: a request from another origin (the
 * browser names it in `Origin`), and, while bound to a loopback address, a Host that is not ours
 * (DNS rebinding). Tools and SDKs send no Origin; ALLOWED_HOSTS adds the names a reverse proxy uses.
 */
export function checkOrigin(headers: Headers): void {
  const host = headers.get("host") ?? "";
  const origin = headers.get("origin");
  if (origin !== null) {
    let sameOrigin = false;
    try {
      sameOrigin = origin !== "null" && new URL(origin).host.toLowerCase() === host.toLowerCase();
    } catch {}
    if (!sameOrigin) {
      throw forbidden(
        `Requests from another site's page are refused (Origin: ${origin.slice(0, 100)}). Call the API from a program, not from a browser page of another origin.`,
        "cross_origin_forbidden",
      );
    }
  }
  const e = env();
  if (!LOOPBACK.test(e.HOST) || e.ALLOWED_HOSTS.includes("*")) return;
  const name = hostName(host);
  if (LOOPBACK.test(name) || e.ALLOWED_HOSTS.some((a) => a.toLowerCase() === name)) return;
  throw forbidden(
    `Host "${host.slice(0, 100)}" is not served here: the gateway is bound to ${e.HOST}; add the name to ALLOWED_HOSTS if a proxy forwards it.`,
    "host_forbidden",
  );
}
