import "server-only";
import { checkSessionId } from "../chat";
import { SSE_HEADERS } from "../openai/sse";
import { createResponse, deleteResponse, getResponse, responseNotFound } from "../responses";
import { apiRoute, otherMethods } from "./handler";
import { recordedEndpoint } from "./recorded";

/** POST /v1/responses → JSON Response or typed SSE events. */
export const postResponses = recordedEndpoint(async (body, recorder, request) => {
  const sessionId = checkSessionId(request.headers.get("x-session-id"));
  const out = await createResponse(body, recorder, request.signal, sessionId);
  if (out.kind === "stream") return new Response(out.body, { headers: SSE_HEADERS });
  return Response.json(out.body);
});

/** GET and DELETE /v1/responses/{id}: a stored response. */
export const responseById = {
  GET: apiRoute(async (_req, _ctx, params) => Response.json(await getResponse(params.id ?? ""))),
  DELETE: apiRoute(async (_req, _ctx, params) => {
    const id = params.id ?? "";
    if (!(await deleteResponse(id))) throw responseNotFound(id);
    return Response.json({ id, object: "response.deleted", deleted: true });
  }),
  ...(({ GET, DELETE, ...rest }) => rest)(otherMethods(["GET", "DELETE"])),
};
