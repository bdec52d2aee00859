import "server-only";
import { quotaOf } from "../../claude-plan/quota";
import { planState } from "../../claude-plan/state";
import { env } from "../../env";
import { consoleProcedure, router } from "../init";

export const planRouter = router({
  /** The Claude plan's windows, overage and guard: what GET /v1/usage/quota answers. */
  quota: consoleProcedure.query(async () => quotaOf(await planState(), env().CLAUDE_PLAN_GUARD, Date.now())),
});
