import { planQuota } from "@/server/claude-plan/quota-route";
import { apiRoute, otherMethods } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** The Claude plan's windows, overage and guard: the admin key or the console login (docs/claude-code.md, "Claude plan limits and overage"). */
export const GET = apiRoute((_request, _ctx, _params, principal) => planQuota(principal), { access: "public" });
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
