import "server-only";
import { claimSessionFor, owns } from "../access/ownership";
import { admitModel, cookieOf, forApi, forConsoleApi, keyIdOf, type Principal } from "../access/policy";
import { ClientCancelled } from "../chat/cancel";
import { checkSessionId } from "../chat/session-id";
import { guardPlan } from "../claude-plan/guard";
import { CONSOLE_COOKIE } from "../console/auth";
import { env } from "../env";
import { readJsonBody } from "../openai/body";
import { type ApiError, toApiError } from "../openai/errors";
import { type ResolvedModel, resolveAlias, resolveTarget } from "../providers/registry";
import { responseNotFound } from "../responses/errors";
import { loadResponse, type StoredResponseRow } from "../responses/store";
import { RequestRecorder } from "../usage/recorder";
import { requestContext } from "./context";
import { logLine, methodNotAllowed } from "./handler";

/**
 * THE FRONT DOOR of every model endpoint (chat completions, Responses, embeddings, the playground, and
 * any later one). One function, in this order, whatever the endpoint:
 *   who calls (access/policy.ts) → body (the endpoint's schema) → model resolved once (alias → target,
 *   both names carried on) → admission (the key's allow-list on the target, rpm/tpm, budget) →
 *   ownership (the stored response named, the X-Session-ID claimed) → the record begins → the
 *   endpoint's service → one failure path (the record finished, the error in the endpoint's shape).
 * An endpoint brings only what differs: its methods, body schema, what it names, and its wire format.
 */
export interface Endpoint<B> {
  /** The methods served; any other is 405 (recorded). */
  methods: readonly string[];
  /** Who may call: the API's keys (default), or the console's login (the playground). */
  caller?: "v1" | "console";
  /** The body schema (a 400 on mismatch). Absent: the request has no body (GET, DELETE). */
  body?: (raw: unknown) => B;
  /** The model the body names. Absent: the endpoint runs no model (no admission). */
  model?: (body: B) => string;
  /** The stored response the request names, if any (404 unless the caller owns it). */
  storedResponse?: (body: B, params: Record<string, string>) => { id: string; param: string | null } | null;
  /** Whether X-Session-ID is read (claimed for the caller, 403 when another key owns it). Default: true. */
  sessions?: boolean;
  /** "always" (default): a record from the start; "failures": only a failed request is recorded. */
  record?: "always" | "failures";
  /** The endpoint's error shape; OpenAI's error body by default. */
  renderError?: (error: ApiError, headers: Record<string, string>) => Response;
  /** The service and wire format, once everything above let the request in. */
  handle(call: Admitted<B>): Promise<Response>;
}

/** What the front door hands to an endpoint's service. */
export interface Admitted<B> {
  request: Request;
  body: B;
  principal: Principal;
  /** The request's one record (discarded when a `record: "failures"` endpoint succeeds). */
  recorder: RequestRecorder;
  /** The model, resolved once; null for an endpoint that runs none. */
  model: ResolvedModel | null;
  /** X-Session-ID, claimed for the caller. */
  sessionId: string | null;
  /** The stored response the request named, owned by the caller. */
  stored: StoredResponseRow | null;
  params: Record<string, string>;
  /** Claims a further session id the service derives (a Responses chain's) for the caller. */
  claimSession(id: string, param?: string): Promise<void>;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

const callerOf = (request: Request, caller: "v1" | "console"): Promise<Principal> =>
  caller === "console"
    ? Promise.resolve(forConsoleApi(request, cookieOf(request.headers, CONSOLE_COOKIE)))
    : forApi(request);

async function paramsOf(route: RouteContext | undefined): Promise<Record<string, string>> {
  const raw = (await route?.params) ?? {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]));
}

/** What the record knows before the body is parsed: the model named (an alias as its target) and `stream`. */
function noteBody(recorder: RequestRecorder, raw: unknown) {
  const fields = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  if (typeof fields.model === "string") noteModel(recorder, fields.model.slice(0, 300), resolveAlias(fields.model));
  recorder.stream = fields.stream === true;
}

function noteModel(recorder: RequestRecorder, requested: string, target: string | null) {
  recorder.model = target ?? requested;
  recorder.requestedModel = target && target !== requested ? requested : null;
}

/** The stored response named, when the caller owns it; the same 404 as a missing one otherwise. */
async function ownedResponse(p: Principal, named: { id: string; param: string | null }): Promise<StoredResponseRow> {
  const row = await loadResponse(named.id);
  if (!row || !owns(p, row.keyId)) throw responseNotFound(named.id, named.param);
  return row;
}

/** The one failure path: the record finished (cancelled or error), then the answer in the endpoint's shape. */
async function failure(
  recorder: RequestRecorder,
  e: unknown,
  headers: Record<string, string>,
  render: (error: ApiError, headers: Record<string, string>) => Response,
): Promise<Response> {
  if (e instanceof ClientCancelled) {
    await recorder.finish({ status: "cancelled", reason: e.message });
    return new Response(null, { status: 499, headers });
  }
  const error = toApiError(e);
  await recorder.finish({ status: "error", error });
  return render(error, headers);
}

const openaiError = (error: ApiError, headers: Record<string, string>) => error.toResponse(headers);

/** A route handler for an endpoint: every request to it goes through the one front door. */
export function frontDoor<B>(endpoint: Endpoint<B>) {
  return async (request: Request, route?: RouteContext): Promise<Response> => {
    const recorder = new RequestRecorder(requestContext(request));
    const ctx = recorder.ctx;
    let headers: Record<string, string> = { "x-request-id": ctx.id };
    try {
      if (!endpoint.methods.includes(request.method)) throw methodNotAllowed(ctx.path, [...endpoint.methods]);
      const principal = await callerOf(request, endpoint.caller ?? "v1");
      recorder.keyId = keyIdOf(principal);

      let body = undefined as B;
      if (endpoint.body) {
        const raw = await readJsonBody(request, env().MAX_BODY_BYTES);
        noteBody(recorder, raw);
        body = endpoint.body(raw);
      }

      const model = endpoint.model ? resolveTarget(endpoint.model(body)) : null;
      if (model) {
        noteModel(recorder, model.requested, model.name);
        recorder.provider = model.route.provider.id;
        recorder.upstreamModel = model.route.upstreamModel;
        headers = { ...Object.fromEntries(await admitModel(principal, model.name)), ...headers };
        await guardPlan(model);
      }

      const params = await paramsOf(route);
      const named = endpoint.storedResponse?.(body, params) ?? null;
      const stored = named ? await ownedResponse(principal, named) : null;
      const sessionId = endpoint.sessions === false ? null : checkSessionId(request.headers.get("x-session-id"));
      recorder.sessionId = sessionId;
      if (sessionId) await claimSessionFor(principal, sessionId);

      const always = endpoint.record !== "failures";
      if (always) recorder.begin();
      const response = await endpoint.handle({
        request,
        body,
        principal,
        recorder,
        model,
        sessionId,
        stored,
        params,
        claimSession: (id, param) => claimSessionFor(principal, id, param),
      });
      for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
      if (!always) {
        // A read or delete that worked (GET/DELETE /v1/responses/{id}): logged, not recorded.
        recorder.discard();
        logLine(ctx, response.status);
      }
      return response;
    } catch (e) {
      return failure(recorder, e, headers, endpoint.renderError ?? openaiError);
    }
  };
}
