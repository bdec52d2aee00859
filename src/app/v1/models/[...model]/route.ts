import { apiRoute, otherMethods } from "@/server/http/handler";
import { getModel } from "@/server/models";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (_req, _ctx, params) =>
  Response.json(await getModel(decodeURIComponent(params.model ?? ""))),
);
export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);
