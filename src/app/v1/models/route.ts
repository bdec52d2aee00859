import { visibleModels } from "@/server/access/policy";
import { apiRoute, otherMethods } from "@/server/http/handler";
import { listModels } from "@/server/models";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (_req, _ctx, _params, principal) =>
  Response.json({ object: "list", data: visibleModels(principal, await listModels()) }),
);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
