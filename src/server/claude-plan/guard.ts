import "server-only";
import { env } from "../env";
import { ApiError } from "../openai/errors";
import type { ResolvedModel } from "../providers/registry";
import { refusalMessage, refusalOf } from "./rules";
import { noteRefusal, planState } from "./state";

/**
 * THE PLAN GUARD (CLAUDE_PLAN_GUARD), part of the front door's admission (http/front-door.ts): a
 * Claude Code turn the plan's last state says would be refused by the plan, run on paid overage or
 * (with a threshold) pass that utilization of a window is refused here, before any process starts
 * and before any upstream call: 429 `plan_limit_reached` with Retry-After (seconds until the window
 * resets), recorded and rendered in the endpoint's own error shape by the front door's failure path.
 * The rules are in rules.ts; other providers (Ollama) are never refused.
 */
export async function guardPlan(model: ResolvedModel): Promise<void> {
  if (model.route.provider.id !== "claude-code") return;
  const guard = env().CLAUDE_PLAN_GUARD;
  if (guard === "off") return;
  // No state to go by (the database never answered): nothing is known to refuse on.
  const state = await planState().catch(() => null);
  const refusal = state && refusalOf(state, guard, Date.now());
  if (!refusal) return;
  noteRefusal(refusal.window);
  throw new ApiError(429, refusalMessage(refusal, guard), {
    code: "plan_limit_reached",
    type: "rate_limit_error",
    headers: { "retry-after": String(refusal.retryAfter) },
  });
}
