import { parseUpdate } from "@/server/access/key-input";
import { getKeyView, revokeKey, updateKey } from "@/server/access/keys";
import { apiRoute, otherMethods } from "@/server/http/handler";
import { readJsonBody } from "@/server/openai/body";

export const dynamic = "force-dynamic";

const admin = { access: "admin" } as const;

export const GET = apiRoute(async (_req, _ctx, params) => Response.json(await getKeyView(params.id ?? "")), admin);
export const PATCH = apiRoute(async (request, ctx, params) => {
  const changes = parseUpdate(await readJsonBody(request, 64 * 1024));
  return Response.json(await updateKey(params.id ?? "", changes, { by: "admin", address: ctx.clientAddress }));
}, admin);
/** Revokes the key at once (it stays listed, with its usage, as revoked). */
export const DELETE = apiRoute(
  async (_req, ctx, params) =>
    Response.json(await revokeKey(params.id ?? "", { by: "admin", address: ctx.clientAddress })),
  admin,
);
export const { POST, PUT } = otherMethods(["GET", "PATCH", "DELETE"], admin);
