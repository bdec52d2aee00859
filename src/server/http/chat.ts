import "server-only";
import { checkSessionId, runChat } from "../chat";
import { ClientCancelled } from "../chat/cancel";
import { env } from "../env";
import { authorize } from "../openai/auth";
import { readJsonBody } from "../openai/body";
import { toApiError } from "../openai/errors";
import { parseChatRequest } from "../openai/schemas";
import { SSE_HEADERS } from "../openai/sse";
import { resolveAlias } from "../providers/registry";
import { RequestRecorder } from "../usage/recorder";
import { requestContext } from "./context";
import { methodNotAllowed } from "./handler";
import { checkOrigin } from "./origin";

function modelHint(body: unknown): string {
  const m = (body as { model?: unknown } | null)?.model;
  return typeof m === "string" ? m.slice(0, 200) : "";
}

const bearer = async (request: Request) => authorize(request.headers, env().CLAUDE_AUTH_KEY);

/**
 * POST /v1/chat/completions: auth → body → schema → chat service → JSON or SSE. One record always.
 * The console's playground calls it too, with its own check (the login cookie) instead of the key.
 */
export async function chatCompletions(
  request: Request,
  check: (r: Request) => Promise<void> = bearer,
): Promise<Response> {
  const recorder = new RequestRecorder(requestContext(request));
  const headers = { "x-request-id": recorder.ctx.id };
  try {
    if (request.method !== "POST") throw methodNotAllowed(recorder.ctx.path, ["POST"]);
    checkOrigin(request.headers);
    await check(request);
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
    recorder.begin();
    const out = await runChat({ request: chat, sessionId, recorder, signal: request.signal });
    if (out.kind === "stream") return new Response(out.body, { headers: { ...SSE_HEADERS, ...headers } });
    return Response.json(out.body, { headers });
  } catch (e) {
    if (e instanceof ClientCancelled) {
      await recorder.finish({ status: "cancelled", reason: e.message });
      return new Response(null, { status: 499, headers });
    }
    const error = toApiError(e);
    await recorder.finish({ status: "error", error });
    return error.toResponse(headers);
  }
}
