import { parseCreate } from "@/server/access/key-input";
import { createKey, listKeyViews } from "@/server/access/keys";
import { apiRoute, otherMethods } from "@/server/http/handler";
import { readJsonBody } from "@/server/openai/body";

export const dynamic = "force-dynamic";

const admin = { access: "admin" } as const;

export const GET = apiRoute(async () => Response.json({ object: "list", data: await listKeyViews() }), admin);
export const POST = apiRoute(async (request, ctx) => {
  const input = parseCreate(await readJsonBody(request, 64 * 1024));
  return Response.json(await createKey(input, { by: "admin", address: ctx.clientAddress }), { status: 201 });
}, admin);
export const { PUT, PATCH, DELETE } = otherMethods(["GET", "POST"], admin);
