import "server-only";
import { env } from "./env";
import { modelNotFound } from "./openai/errors";
import { OLLAMA_PREFIX } from "./providers/ollama";
import { listOllamaModels } from "./providers/ollama/models";

export interface ModelObject {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

const startedAt = Math.floor(Date.now() / 1000);

/** The Claude Code models: the default name and the configured list. */
export function claudeModelIds(): string[] {
  const e = env();
  return [...new Set(["claude-code", e.CLAUDE_DEFAULT_MODEL, ...e.CLAUDE_MODELS])];
}

/** Every model a client may name: Claude Code's, then the live Ollama ones as `ollama/<name>`. */
export async function listModels(): Promise<ModelObject[]> {
  const claude = claudeModelIds().map(
    (id): ModelObject => ({ id, object: "model", created: startedAt, owned_by: "claude-code" }),
  );
  const ollama = (await listOllamaModels()).map(
    (m): ModelObject => ({
      id: `${OLLAMA_PREFIX}${m.name}`,
      object: "model",
      created: Math.floor(m.modifiedAt / 1000) || startedAt,
      owned_by: "ollama",
    }),
  );
  // Aliases (MODEL_ALIASES) are listed too, owned by their model's provider.
  const aliases = env().MODEL_ALIASES.map(
    ({ alias, target }): ModelObject => ({
      id: alias,
      object: "model",
      created: startedAt,
      owned_by: target.startsWith(OLLAMA_PREFIX) ? "ollama" : "claude-code",
    }),
  );
  return [...claude, ...ollama, ...aliases.filter((a) => !claude.some((c) => c.id === a.id))];
}

export async function getModel(id: string): Promise<ModelObject> {
  const found = (await listModels()).find(
    (m) => m.id === id || (id.startsWith(OLLAMA_PREFIX) && m.id === `${id}:latest`),
  );
  if (!found) throw modelNotFound(id);
  return found;
}
