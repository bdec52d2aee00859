import { apiRoute, otherMethods } from "@/server/http/handler";
import { anthropicList, modelsError, visibleTo, wantsAnthropic } from "@/server/model-shapes";
import { listCatalog, openaiModel } from "@/server/models";

export const dynamic = "force-dynamic";

// OpenAI's list, or Anthropic's when the request carries `anthropic-version`.
const opts = { renderError: modelsError };
export const GET = apiRoute(async (req, ctx, _params, principal) => {
  const models = visibleTo(principal, await listCatalog());
  if (wantsAnthropic(req)) return Response.json(anthropicList(models), { headers: { "request-id": ctx.id } });
  return Response.json({ object: "list", data: models.map(openaiModel) });
}, opts);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"], opts);
