import "server-only";
import {
  admitModel,
  checkSessionOwner,
  cookieOf,
  forApi,
  forConsoleApi,
  keyIdOf,
  type Principal,
} from "../access/policy";
import { sessionOwner } from "../access/sessions";
import { checkSessionId, runChat } from "../chat";
import { CONSOLE_COOKIE } from "../console/auth";
import { env } from "../env";
import { readJsonBody } from "../openai/body";
import { parseChatRequest } from "../openai/schemas";
import { SSE_HEADERS } from "../openai/sse";
import { resolveAlias } from "../providers/registry";
import { RequestRecorder } from "../usage/recorder";
import { requestContext } from "./context";
import { methodNotAllowed } from "./handler";
import { failureResponse } from "./recorded";

function modelHint(body: unknown): string {
  const m = (body as { model?: unknown } | null)?.model;
  return typeof m === "string" ? m.slice(0, 200) : "";
}

/** Who may call: `/v1` asks for a key (access policy), the console's playground for the login cookie. */
export type ChatSurface = "v1" | "playground";

const principalOf = async (request: Request, surface: ChatSurface): Promise<Principal> =>
  surface === "playground" ? forConsoleApi(request, cookieOf(request.headers, CONSOLE_COOKIE)) : forApi(request);

/**
 * POST /v1/chat/completions: access (key, model, limits) → body → schema → chat service → JSON or
 * SSE. One record always, carrying the key. The console's playground calls it too, signed in by cookie.
 */
export async function chatCompletions(request: Request, surface: ChatSurface = "v1"): Promise<Response> {
  const recorder = new RequestRecorder(requestContext(request));
  let headers: Record<string, string> = { "x-request-id": recorder.ctx.id };
  try {
    if (request.method !== "POST") throw methodNotAllowed(recorder.ctx.path, ["POST"]);
    const principal = await principalOf(request, surface);
    recorder.keyId = keyIdOf(principal);
    const body = await readJsonBody(request, env().MAX_BODY_BYTES);
    recorder.model = modelHint(body);
    recorder.stream = (body as { stream?: unknown } | null)?.stream === true;
    let chat = parseChatRequest(body);
    // An alias (MODEL_ALIASES): the record keeps the name sent as requestedModel; model, the answer's
    // `model` and the session are the resolved model's.
    const target = resolveAlias(chat.model);
    if (target) {
      recorder.requestedModel = chat.model;
      chat = { ...chat, model: target };
    }
    const sessionId = checkSessionId(request.headers.get("x-session-id"));
    recorder.sessionId = sessionId;
    if (sessionId && principal.kind !== "admin" && principal.kind !== "console") {
      checkSessionOwner(principal, await sessionOwner(sessionId), sessionId);
    }
    const limits = await admitModel(principal, chat.model);
    headers = { ...Object.fromEntries(limits), ...headers };
    recorder.begin();
    const out = await runChat({ request: chat, sessionId, recorder, signal: request.signal });
    if (out.kind === "stream") return new Response(out.body, { headers: { ...SSE_HEADERS, ...headers } });
    return Response.json(out.body, { headers });
  } catch (e) {
    return failureResponse(recorder, e, headers);
  }
}
