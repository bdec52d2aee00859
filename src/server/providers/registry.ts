import "server-only";
import { env } from "../env";
import { ApiError, modelNotFound } from "../openai/errors";
import { claudeCodeProvider } from "./claude-code";
import { checkModelName } from "./claude-code/args";
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

/** model → provider: `ollama/<name>` goes to Ollama, every other name to Claude Code. */
export function resolveModel(model: string): ModelRoute {
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
