import { apiRoute, otherMethods } from "@/server/http/handler";
import { listModels } from "@/server/models";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async () => Response.json({ object: "list", data: await listModels() }));
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
