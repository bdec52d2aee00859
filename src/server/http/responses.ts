import "server-only";
import { badRequest } from "../openai/errors";
import { parseResponsesRequest, type ResponsesRequest } from "../openai/responses-schema";
import { SSE_HEADERS } from "../openai/sse";
import { createResponse, deleteResponse, responseBody, responseNotFound } from "../responses";
import { cancelBackground } from "../responses/background/cancel";
import { replayOf } from "../responses/background/query";
import { modelOf } from "./chat";
import { type Endpoint, frontDoor } from "./front-door";

/** POST /v1/responses → JSON Response or typed SSE events. */
export const postResponses = frontDoor<ResponsesRequest>({
  methods: ["POST"],
  body: parseResponsesRequest,
  model: (req) => req.model,
  storedResponse: (req) =>
    req.previous_response_id ? { id: req.previous_response_id, param: "previous_response_id" } : null,
  async handle(call) {
    const out = await createResponse({
      req: call.body,
      model: modelOf(call),
      recorder: call.recorder,
      principal: call.principal,
      signal: call.request.signal,
      headerSession: call.sessionId,
      previous: call.stored,
      claimSession: call.claimSession,
    });
    if (out.kind === "stream") return new Response(out.body, { headers: SSE_HEADERS });
    return Response.json(out.body);
  },
});

/** GET and DELETE /v1/responses/{id}: a stored response of the caller's (another key's is 404). */
const byId: Endpoint<undefined> = {
  methods: ["GET", "DELETE"],
  storedResponse: (_, params) => ({ id: params.id ?? "", param: null }),
  sessions: false,
  record: "failures",
  async handle({ request, stored }) {
    if (!stored) throw new Error("the front door loads the stored response");
    if (request.method === "GET") {
      const replay = replayOf(new URL(request.url).searchParams, stored);
      if (replay) return new Response(replay, { headers: SSE_HEADERS });
      return Response.json(responseBody(stored));
    }
    // A background run still going is cancelled first: nothing keeps writing a deleted response.
    if (stored.background) await cancelBackground(stored.id);
    if (!(await deleteResponse(stored.id))) throw responseNotFound(stored.id);
    return Response.json({ id: stored.id, object: "response.deleted", deleted: true });
  },
};

export const responseById = frontDoor(byId);

/** POST /v1/responses/{id}/cancel: a background response of the caller's, cancelled (idempotent). */
export const cancelResponseById = frontDoor<undefined>({
  methods: ["POST"],
  storedResponse: (_, params) => ({ id: params.id ?? "", param: null }),
  sessions: false,
  record: "failures",
  async handle({ stored }) {
    if (!stored) throw new Error("the front door loads the stored response");
    if (!stored.background) {
      throw badRequest("Only a background response (background: true) can be cancelled.", null, "not_background");
    }
    const body = await cancelBackground(stored.id);
    if (body === null) throw responseNotFound(stored.id);
    return new Response(body, { headers: { "content-type": "application/json" } });
  },
});
