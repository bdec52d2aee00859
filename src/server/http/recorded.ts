import "server-only";
import { admitModel, forApi, keyIdOf } from "../access/policy";
import { ClientCancelled } from "../chat/cancel";
import { env } from "../env";
import { readJsonBody } from "../openai/body";
import { toApiError } from "../openai/errors";
import { RequestRecorder } from "../usage/recorder";
import { requestContext } from "./context";
import { methodNotAllowed } from "./handler";

export type RecordedHandler = (body: unknown, recorder: RequestRecorder, request: Request) => Promise<Response>;

function hint(body: unknown, key: string): unknown {
  return body && typeof body === "object" ? (body as Record<string, unknown>)[key] : undefined;
}

/**
 * A POST endpoint that runs a model and leaves exactly one record (/v1/responses, /v1/embeddings):
 * access (key, model, limits: the access policy) → body → handler; any failure is answered as an
 * OpenAI error and recorded with it.
 */
export function recordedEndpoint(handle: RecordedHandler) {
  return async (request: Request): Promise<Response> => {
    const recorder = new RequestRecorder(requestContext(request));
    let headers: Record<string, string> = { "x-request-id": recorder.ctx.id };
    try {
      if (request.method !== "POST") throw methodNotAllowed(recorder.ctx.path, ["POST"]);
      const principal = await forApi(request);
      recorder.keyId = keyIdOf(principal);
      const body = await readJsonBody(request, env().MAX_BODY_BYTES);
      const model = hint(body, "model");
      recorder.model = typeof model === "string" ? model.slice(0, 200) : "";
      recorder.stream = hint(body, "stream") === true;
      const limits = await admitModel(principal, typeof model === "string" ? model : "");
      headers = { ...Object.fromEntries(limits), ...headers };
      // The `running` record, written within a few ms unless the request is over by then.
      recorder.begin();
      const response = await handle(body, recorder, request);
      for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
      return response;
    } catch (e) {
      return failureResponse(recorder, e, headers);
    }
  };
}

/** A failed model request's answer, its record finished first: a cancellation (499), else the OpenAI error. */
export async function failureResponse(
  recorder: RequestRecorder,
  e: unknown,
  headers: Record<string, string>,
): Promise<Response> {
  if (e instanceof ClientCancelled) {
    await recorder.finish({ status: "cancelled", reason: e.message });
    return new Response(null, { status: 499, headers });
  }
  const error = toApiError(e);
  await recorder.finish({ status: "error", error });
  return error.toResponse(headers);
}
