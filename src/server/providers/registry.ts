import "server-only";
import { env } from "../env";
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

/** The model an alias (MODEL_ALIASES) stands for, or null when `model` is no alias. */
export function resolveAlias(model: string): string | null {
  return env().MODEL_ALIASES.find((a) => a.alias === model)?.target ?? null;
}

/**
 * model → provider: an alias (MODEL_ALIASES) is first replaced by its model; `ollama/<name>` goes to Ollama; `claude-code`, CLAUDE_DEFAULT_MODEL, CLAUDE_MODELS
 * and Claude's own names (`claude-…`, sonnet, opus, haiku) go to Claude Code; anything else is 404.
 */
export function resolveModel(requested: string): ModelRoute {
  const model = resolveAlias(requested) ?? requested;
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
