import { healthSummary } from "@/server/access/health";
import { seesHealthDetails } from "@/server/access/policy";
import { health } from "@/server/health";
import { apiRoute, otherMethods } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async (_req, _ctx, _params, principal) => {
    const { status, body } = await health();
    const shown = seesHealthDetails(principal) ? body : healthSummary(body);
    return Response.json(shown, { status, headers: { "cache-control": "no-store" } });
  },
  { access: "public" },
);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"], { access: "public" });
