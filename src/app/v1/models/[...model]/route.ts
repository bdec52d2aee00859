import { visibleModels } from "@/server/access/policy";
import { apiRoute, otherMethods } from "@/server/http/handler";
import { getModel } from "@/server/models";
import { modelNotFound } from "@/server/openai/errors";

export const dynamic = "force-dynamic";

// Next.js hands over the segments already decoded: decoding again would turn "%" into a 500.
// A model a key may not use is "not found" for it, as OpenAI answers for models out of reach.
export const GET = apiRoute(async (_req, _ctx, params, principal) => {
  const id = params.model ?? "";
  const model = await getModel(id);
  if (visibleModels(principal, [model]).length === 0) throw modelNotFound(id);
  return Response.json(model);
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
