/** Our one error type (ApiError) rendered in Anthropic's envelope, with its error types and statuses. */
import type { ApiError } from "../openai/errors";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

/** Anthropic's error type for a status (its SDKs pick the error class from the status, as OpenAI's do). */
export function anthropicType(status: number): AnthropicErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 529) return "overloaded_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/** The status on Anthropic's wire: an overloaded upstream is its 529 (OpenAI's wire says 503). */
const statusOf = (e: ApiError) => (e.code === "upstream_overloaded" ? 529 : e.status);

/** `{"type":"error","error":{"type","message"}}`, the body of an error answer and of an `error` stream event. */
export const anthropicErrorBody = (e: ApiError) => ({
  type: "error" as const,
  error: { type: anthropicType(statusOf(e)), message: e.message },
});

/** An error answer: Anthropic's body, the error's own headers (retry-after…) and `request-id`. */
export function anthropicErrorResponse(e: ApiError, headers: Record<string, string>): Response {
  const requestId = headers["x-request-id"];
  return Response.json(
    { ...anthropicErrorBody(e), ...(requestId ? { request_id: requestId } : {}) },
    { status: statusOf(e), headers: { ...e.headers, ...headers, ...(requestId ? { "request-id": requestId } : {}) } },
  );
}
