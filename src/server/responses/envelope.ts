/** The Response object (`object: "response"`) around a run's output, as the API returns and stores it. */
import type { ApiError } from "../openai/errors";
import type { ResponsesRequest } from "../openai/responses-schema";
import type { FinishReason, TokenUsage } from "../providers/types";
import { functionTools } from "./map";
import type { OutputItem } from "./output";

export type ResponseStatus = "queued" | "in_progress" | "completed" | "incomplete" | "failed" | "cancelled";

export function responseUsage(u: TokenUsage) {
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: { cached_tokens: u.cachedTokens, cache_write_tokens: 0 },
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.promptTokens + u.completionTokens,
  };
}

/** Our errors as a Response's `error` (its code is one of the spec's few). */
export function responseError(e: ApiError) {
  const code = e.status === 429 ? "rate_limit_exceeded" : e.status === 400 ? "invalid_prompt" : "server_error";
  return { code, message: e.message };
}

export const incompleteReason = (f: FinishReason) =>
  f === "length" ? "max_output_tokens" : f === "content_filter" ? "content_filter" : null;

export interface Envelope {
  id: string;
  createdAt: number;
  request: ResponsesRequest;
}

export function responseObject(
  env: Envelope,
  s: {
    status: ResponseStatus;
    output: OutputItem[];
    usage?: TokenUsage | null;
    error?: ApiError | null;
    finishReason?: FinishReason | null;
  },
) {
  const req = env.request;
  const reason = s.status === "incomplete" && s.finishReason ? incompleteReason(s.finishReason) : null;
  const format = req.text?.format ?? { type: "text" };
  return {
    id: env.id,
    object: "response" as const,
    created_at: env.createdAt,
    status: s.status,
    background: req.background === true,
    completed_at: s.status === "completed" ? Math.floor(Date.now() / 1000) : null,
    error: s.error ? responseError(s.error) : null,
    incomplete_details: reason ? { reason } : null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    model: req.model,
    output: s.output,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    reasoning: req.reasoning?.effort ? { effort: req.reasoning.effort } : null,
    store: req.store !== false,
    temperature: req.temperature ?? 1,
    text: { format },
    tool_choice: req.tool_choice ?? "auto",
    // Only the tools that were served (function tools); hosted and other tool types are not used.
    tools: functionTools(req).map((t) => ({
      type: "function" as const,
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters ?? null,
      strict: t.strict ?? null,
    })),
    top_p: req.top_p ?? 1,
    truncation: "disabled" as const,
    ...(s.usage ? { usage: responseUsage(s.usage) } : {}),
    ...(req.user ? { user: req.user } : {}),
    metadata: req.metadata ?? {},
  };
}

export type ResponseObject = ReturnType<typeof responseObject>;
