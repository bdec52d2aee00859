import "server-only";
import { type Principal, seesHealthDetails } from "../access/policy";
import { env } from "../env";
import { ApiError } from "../openai/errors";
import { quotaOf } from "./quota";
import { planState } from "./state";

/**
 * GET /v1/usage/quota: the admin key or the console login (the access policy's `seesHealthDetails`:
 * also anyone on an open gateway, as /health's details). Another key is 403, no credentials 401.
 */
export async function planQuota(principal: Principal): Promise<Response> {
  if (!seesHealthDetails(principal)) {
    if (principal.kind === "key") {
      throw new ApiError(403, "Only the admin key (CLAUDE_AUTH_KEY) or the console login may read the Claude plan.", {
        code: "admin_only",
        type: "permission_error",
      });
    }
    throw new ApiError(401, "The Claude plan needs the admin key: `Authorization: Bearer <CLAUDE_AUTH_KEY>`.", {
      code: "missing_api_key",
    });
  }
  return Response.json(quotaOf(await planState(), env().CLAUDE_PLAN_GUARD, Date.now()), {
    headers: { "cache-control": "no-store" },
  });
}
