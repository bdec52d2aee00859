import { apiRoute, otherMethods } from "@/server/http/handler";
import { anthropicModel, modelsError, visibleTo, wantsAnthropic } from "@/server/model-shapes";
import { findModel, openaiModel } from "@/server/models";
import { modelNotFound } from "@/server/openai/errors";

export const dynamic = "force-dynamic";

// Next.js hands over the segments already decoded: decoding again would turn "%" into a 500.
// A model a key may not use is "not found" for it, as OpenAI answers for models out of reach.
const opts = { renderError: modelsError };
export const GET = apiRoute(async (req, ctx, params, principal) => {
  const id = params.model ?? "";
  const model = await findModel(id);
  if (visibleTo(principal, [model]).length === 0) throw modelNotFound(id);
  if (wantsAnthropic(req)) return Response.json(anthropicModel(model), { headers: { "request-id": ctx.id } });
  return Response.json(openaiModel(model));
}, opts);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"], opts);
