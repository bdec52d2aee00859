import "server-only";
import { ClientCancelled } from "../chat/cancel";
import { env } from "../env";
import { authorize } from "../openai/auth";
import { ApiError, echo, toApiError } from "../openai/errors";
import { type RequestContext, RequestRecorder } from "../usage/recorder";
import { requestContext } from "./context";
import { checkOrigin } from "./origin";

type Handler = (request: Request, ctx: RequestContext, params: Record<string, string>) => Promise<Response>;
type RouteContext = { params: Promise<Record<string, string | string[]>> };

function logLine(ctx: RequestContext, status: number, error?: string) {
  if (!env().LOG_REQUESTS) return;
  console.log(
    JSON.stringify({
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
    }),
  );
}

/**
 * A JSON API route: origin check, optional auth, errors as OpenAI bodies, x-request-id, one log line.
 * A failed `/v1` request (wrong path or method, auth, bad input) also leaves its record, like chat's.
 */
export function apiRoute(handler: Handler, opts: { auth: boolean } = { auth: true }) {
  return async (request: Request, route?: RouteContext): Promise<Response> => {
    const ctx = requestContext(request);
    let response: Response;
    let error: string | undefined;
    try {
      checkOrigin(request.headers);
      if (opts.auth) authorize(request.headers, env().CLAUDE_AUTH_KEY);
      const raw = (await route?.params) ?? {};
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]));
      response = await handler(request, ctx, params);
    } catch (e) {
      if (e instanceof ClientCancelled) {
        // The client left (e.g. while sending its body): nobody to answer; recorded as cancelled.
        await new RequestRecorder(ctx).finish({ status: "cancelled", reason: e.message });
        return new Response(null, { status: 499, headers: { "x-request-id": ctx.id } });
      }
      const err = toApiError(e);
      error = err.message;
      response = err.toResponse();
      if (ctx.path === "/v1" || ctx.path.startsWith("/v1/")) {
        await new RequestRecorder(ctx).finish({ status: "error", error: err }); // logs its own line
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
export function otherMethods(allowed: string[], opts: { auth: boolean } = { auth: true }) {
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
