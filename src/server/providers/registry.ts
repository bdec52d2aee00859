import "server-only";
import { env } from "../env";
import { aliasTarget } from "../env-schema";
import { claudeModelIds } from "../models";
import { ApiError, echo, modelNotFound } from "../openai/errors";
import { claudeCodeProvider } from "./claude-code";
import { checkModelName } from "./claude-code/model-name";
import { OLLAMA_PREFIX, ollamaProvider } from "./ollama";
import type { Provider } from "./types";

export interface ModelRoute {
  provider: Provider;
  /** The model name the upstream knows. */
  upstreamModel: string;
  /** How long one run may take before it ends with 504. */
  timeoutMs: number;
  /** The variable that sets that limit, for the error message. */
  timeoutVar: string;
}

/** Claude model names the CLI knows besides the configured ones: `claude-…` ids and its aliases. */
const CLAUDE_NAME = /^(claude-[\w.:[\]-]+|(sonnet|opus|haiku|opusplan)(\[1m\])?)$/i;

/** Whether a name (not `ollama/…`) is one Claude Code serves. */
export const isClaudeModel = (model: string) => claudeModelIds().includes(model) || CLAUDE_NAME.test(model);

/** Longest model name served; a longer one is 404 (and only its first characters are echoed). */
export const MAX_MODEL_NAME = 256;

/**
 * The model an alias (MODEL_ALIASES) stands for, or null when `model` is no alias: an exact alias
 * first, else the pattern (`claude-haiku-*`) with the longest matching prefix, in linear time.
 */
export function resolveAlias(model: string): string | null {
  return aliasTarget(env().MODEL_ALIASES, model);
}

/** A model as the front door resolved it, once per request: the name sent, the model that runs, its route. */
export interface ResolvedModel {
  /** The name the client sent (an alias, or the model itself). */
  requested: string;
  /** The model that runs: the alias's target, or the name sent. The upstream always gets this one. */
  name: string;
  route: ModelRoute;
}

/**
 * The one place a model name is resolved: capped first (a name past MAX_MODEL_NAME is 404 before any
 * matching), then an alias (MODEL_ALIASES, exact or pattern) replaced by its model, then routed:
 * `ollama/<name>` to Ollama; `claude-code`, CLAUDE_DEFAULT_MODEL, CLAUDE_MODELS and Claude's own names
 * (`claude-…`, sonnet, opus, haiku) to Claude Code; anything else is 404.
 */
export function resolveTarget(requested: string): ResolvedModel {
  if (requested.length > MAX_MODEL_NAME) throw modelNotFound(requested);
  const name = resolveAlias(requested) ?? requested;
  return { requested, name, route: routeOf(name) };
}

/** The route of a model name (aliases resolved): resolveTarget's route. */
export const resolveModel = (requested: string): ModelRoute => resolveTarget(requested).route;

function routeOf(model: string): ModelRoute {
  if (model.length > MAX_MODEL_NAME) throw modelNotFound(model);
  if (model.startsWith(OLLAMA_PREFIX)) {
    const name = model.slice(OLLAMA_PREFIX.length);
    if (!/^[\w.:\-/]+$/.test(name) || name.length > 200) throw modelNotFound(model);
    return {
      provider: ollamaProvider,
      upstreamModel: name,
      timeoutMs: env().OLLAMA_TIMEOUT_MS,
      timeoutVar: "OLLAMA_TIMEOUT_MS",
    };
  }
  if (!isClaudeModel(model)) {
    throw new ApiError(
      404,
      `The model \`${echo(model)}\` does not exist. Use claude-code, a Claude model (claude-…, sonnet, opus, haiku) or ollama/<name>; GET /v1/models lists them.`,
      { code: "model_not_found", param: "model" },
    );
  }
  checkModelName(model);
  return {
    provider: claudeCodeProvider,
    upstreamModel: model,
    timeoutMs: env().CLAUDE_TIMEOUT_MS,
    timeoutVar: "CLAUDE_TIMEOUT_MS",
  };
}

export const timeoutError = (route: ModelRoute) =>
  new ApiError(504, `The ${route.provider.id} run took longer than ${route.timeoutMs} ms (${route.timeoutVar}).`, {
    code: "upstream_timeout",
  });
