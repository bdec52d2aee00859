import { rotateKey } from "@/server/access/keys";
import { apiRoute, otherMethods } from "@/server/http/handler";

export const dynamic = "force-dynamic";

const admin = { access: "admin" } as const;

/** A new text for the key (shown once in this answer); the old one stops working at once. */
export const POST = apiRoute(
  async (_req, ctx, params) =>
    Response.json(await rotateKey(params.id ?? "", { by: "admin", address: ctx.clientAddress })),
  admin,
);
export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"], admin);
