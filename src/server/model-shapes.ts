import "server-only";
import { type Principal, visibleModels } from "./access/policy";
import { anthropicErrorResponse } from "./anthropic/errors";
import type { CatalogModel } from "./models";
import type { ApiError } from "./openai/errors";

/**
 * /v1/models in Anthropic's shape, for a request carrying `anthropic-version` (Anthropic's SDKs and
 * Claude Code send it): model objects `{type: "model", id, display_name, created_at}`, a list with
 * `has_more`, `first_id`, `last_id`, errors in Anthropic's envelope (anthropic/errors.ts), and the
 * `request-id` header. Both shapes add `max_input_tokens`, the name Anthropic's own model object
 * uses for the context window (LiteLLM's /v1/models uses it too).
 */

export const wantsAnthropic = (request: Request) => request.headers.has("anthropic-version");

/** RFC 3339 in UTC, whole seconds, as Anthropic writes it (`2025-02-19T00:00:00Z`). */
const rfc3339 = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

function displayName(m: CatalogModel): string {
  if (m.runs !== m.id) return `${m.id} (${m.runs})`;
  if (m.id === "claude-code") return "Claude Code";
  if (m.provider === "ollama") return `${m.id.slice(m.id.indexOf("/") + 1)} (Ollama)`;
  return `${m.id} (Claude Code)`;
}

export const anthropicModel = (m: CatalogModel) => ({
  type: "model" as const,
  id: m.id,
  display_name: displayName(m),
  created_at: rfc3339(m.created),
  max_input_tokens: m.contextWindow,
});

/** The whole list in one page (`has_more: false`); `limit`, `after_id` and `before_id` are not needed. */
export function anthropicList(models: CatalogModel[]) {
  const data = models.map(anthropicModel);
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** apiRoute's `renderError` for the models routes: Anthropic's envelope when the request asks for it. */
export const modelsError = (err: ApiError, headers: Record<string, string>, request: Request): Response =>
  wantsAnthropic(request) ? anthropicErrorResponse(err, headers) : err.toResponse(headers);

/** The models a principal may see: a key only those whose running model it may call (aliases too). */
export const visibleTo = (p: Principal, models: CatalogModel[]): CatalogModel[] =>
  visibleModels(
    p,
    models.map((m) => ({ id: m.runs, m })),
  ).map((v) => v.m);
