import { apiRoute, otherMethods } from "@/server/http/handler";
import { getModel } from "@/server/models";

export const dynamic = "force-dynamic";

// Next.js hands over the segments already decoded: decoding again would turn "%" into a 500.
export const GET = apiRoute(async (_req, _ctx, params) => Response.json(await getModel(params.model ?? "")));
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
