import { brand } from "../brand";
import { log } from "../log";
/** The one error type of the API: a status, an OpenAI error body and a single way to render it. */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "permission_error"
  | "api_error"
  | "timeout_error";

export interface ApiErrorInit {
  type?: ErrorType;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
}

const DEFAULT_TYPE: Record<number, ErrorType> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "invalid_request_error",
  405: "invalid_request_error",
  409: "invalid_request_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
  504: "timeout_error",
};

export class ApiError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, init: ApiErrorInit = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = init.type ?? DEFAULT_TYPE[status] ?? "api_error";
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
  }

  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  toResponse(headers: Record<string, string> = {}): Response {
    return Response.json(this.toBody(), { status: this.status, headers: { ...this.headers, ...headers } });
  }
}
brand(ApiError, "ApiError");

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, message, { param, code });

/** A client's value echoed in a message: at most `max` characters (a 1 MB model name stays out of bodies and logs). */
export const echo = (s: string, max = 100) => (s.length > max ? `${s.slice(0, max)}…` : s);

export const modelNotFound = (model: string) =>
  new ApiError(404, `The model \`${echo(model)}\` does not exist or you do not have access to it.`, {
    code: "model_not_found",
    param: "model",
  });

/** Any thrown value as an ApiError; unexpected errors become a 500 that hides internals. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  log({ level: "error", msg: "unexpected error", error: String((e as Error)?.stack ?? e) }, "stderr");
  return new ApiError(500, "The server had an error while processing your request.", { code: "internal_error" });
}
