import "server-only";
import { forAdmin, forApi, forPublic, keyIdOf, type Principal } from "../access/policy";
import { ClientCancelled } from "../chat/cancel";
import { CONSOLE_COOKIE } from "../console/auth";
import { env } from "../env";
import { log } from "../log";
import { ApiError, echo, toApiError } from "../openai/errors";
import { type RequestContext, RequestRecorder } from "../usage/recorder";
import { requestContext } from "./context";

type Handler = (
  request: Request,
  ctx: RequestContext,
  params: Record<string, string>,
  principal: Principal,
) => Promise<Response>;

/**
 * Who may call a route, as the access policy (access/policy.ts) defines it: `v1` (the API: a key,
 * the admin key, or an open gateway), `admin` (the admin API), `public` (anyone; /health).
 * `{ auth: false }` is the older spelling of `public`.
 */
export type RouteAccess = {
  access?: "v1" | "admin" | "public";
  auth?: boolean;
  /** The route's error shape (as the front door's `renderError`); OpenAI's error body by default. */
  renderError?: (error: ApiError, headers: Record<string, string>, request: Request) => Response;
};

const principalFor = (request: Request, o: RouteAccess) => {
  const access = o.access ?? (o.auth === false ? "public" : "v1");
  if (access === "admin") return forAdmin(request);
  if (access === "public") return forPublic(request, CONSOLE_COOKIE);
  return forApi(request);
};
type RouteContext = { params: Promise<Record<string, string | string[]>> };

/** One JSON log line for a request that leaves no record. */
export function logLine(ctx: RequestContext, status: number, error?: string) {
  if (!env().LOG_REQUESTS) return;
  log({
    level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
    msg: "request",
    time: new Date(ctx.startedAt).toISOString(),
    id: ctx.id,
    method: ctx.method,
    path: ctx.path,
    status,
    durationMs: Date.now() - ctx.startedAt,
    client: ctx.clientAddress,
    error,
  });
}

/**
 * A JSON API route: who is calling (the access policy: origin, key), errors as OpenAI bodies,
 * x-request-id, one log line. A failed `/v1` request (wrong path or method, auth, bad input) also
 * leaves its record, like chat's, with the key that made it.
 */
export function apiRoute(handler: Handler, opts: RouteAccess = {}) {
  return async (request: Request, route?: RouteContext): Promise<Response> => {
    const ctx = requestContext(request);
    let response: Response;
    let error: string | undefined;
    let keyId: string | null = null;
    try {
      const principal = await principalFor(request, opts);
      keyId = keyIdOf(principal);
      const raw = (await route?.params) ?? {};
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]));
      response = await handler(request, ctx, params, principal);
    } catch (e) {
      if (e instanceof ClientCancelled) {
        // The client left (e.g. while sending its body): nobody to answer; recorded as cancelled.
        await new RequestRecorder(ctx).finish({ status: "cancelled", reason: e.message });
        return new Response(null, { status: 499, headers: { "x-request-id": ctx.id } });
      }
      const err = toApiError(e);
      error = err.message;
      response = opts.renderError?.(err, { "x-request-id": ctx.id }, request) ?? err.toResponse();
      if (ctx.path === "/v1" || ctx.path.startsWith("/v1/")) {
        const recorder = new RequestRecorder(ctx);
        recorder.keyId = keyId;
        await recorder.finish({ status: "error", error: err }); // logs its own line
        error = undefined;
      }
    }
    response.headers.set("x-request-id", ctx.id);
    if (error !== undefined || response.ok) logLine(ctx, response.status, error);
    return response;
  };
}

export const methodNotAllowed = (path: string, allowed: string[]) =>
  new ApiError(405, `Method not allowed on ${echo(path, 200)}; use ${allowed.join(" or ")}.`, {
    code: "method_not_allowed",
    headers: { allow: allowed.join(", ") },
  });

/** Handlers for every method a route does not serve: 405 with an OpenAI error body. */
export function otherMethods(allowed: string[], opts: RouteAccess = {}) {
  const handler = apiRoute(async (_req, ctx) => {
    throw methodNotAllowed(ctx.path, allowed);
  }, opts);
  // OPTIONS too: Next.js would answer it itself (204, every method allowed) and leave no record.
  const all = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
  return Object.fromEntries(all.filter((m) => !allowed.includes(m)).map((m) => [m, handler])) as Record<
    (typeof all)[number],
    typeof handler
  >;
}

/** Handlers for a path that is no endpoint: a JSON 404 (and its record) for every method. */
export function unknownPath() {
  const handler = apiRoute(async (_req, ctx) => {
    throw new ApiError(404, `Unknown request URL: ${ctx.method} ${echo(ctx.path, 200)}.`, { code: "unknown_url" });
  });
  return { GET: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler, OPTIONS: handler };
}
