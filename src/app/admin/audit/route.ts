import { keyAudit } from "@/server/access/keys";
import { apiRoute, otherMethods } from "@/server/http/handler";

export const dynamic = "force-dynamic";

const admin = { access: "admin" } as const;

/** The latest 100 key changes: what, when, by whom (admin API or console) and from which address. */
export const GET = apiRoute(async () => Response.json({ object: "list", data: await keyAudit(100) }), admin);
export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"], admin);
