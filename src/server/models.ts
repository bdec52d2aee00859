import "server-only";
import { env } from "./env";
import { aliasTarget } from "./env-schema";
import { modelNotFound } from "./openai/errors";
import { OLLAMA_PREFIX } from "./providers/ollama";
import { listOllamaModels, MODEL_LIST_BUDGET_MS, type OllamaModel } from "./providers/ollama/models";
import { contextWindows } from "./providers/ollama/show";

/** A model a client may name, before it is rendered in OpenAI's or Anthropic's shape (model-shapes.ts). */
export interface CatalogModel {
  id: string;
  provider: "claude-code" | "ollama";
  /** Unix seconds: an Ollama model's modification time, else the server's start. */
  created: number;
  /** The model that runs: an alias's target, else the id itself. */
  runs: string;
  /** Tokens the model takes in, where the backend states it (Ollama's /api/show); null otherwise. */
  contextWindow: number | null;
}

/** OpenAI's model object, with the context window where known. */
export interface ModelObject {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  max_input_tokens?: number;
}

const startedAt = Math.floor(Date.now() / 1000);

/** The Claude Code models: the default name and the configured list. */
export function claudeModelIds(): string[] {
  const e = env();
  return [...new Set(["claude-code", e.CLAUDE_DEFAULT_MODEL, ...e.CLAUDE_MODELS])];
}

const providerOf = (model: string) => (model.startsWith(OLLAMA_PREFIX) ? "ollama" : "claude-code");

/** The Ollama model behind `ollama/<name>` (`<name>:latest` too), among those listed. */
const ollamaModelOf = (tags: OllamaModel[], model: string) => {
  if (!model.startsWith(OLLAMA_PREFIX)) return undefined;
  const name = model.slice(OLLAMA_PREFIX.length);
  return tags.find((t) => t.name === name) ?? tags.find((t) => t.name === `${name}:latest`);
};

/**
 * Every model a client may name: Claude Code's, the live Ollama ones as `ollama/<name>`, then the
 * exact aliases (MODEL_ALIASES; a pattern stands for names no list can hold, so it is not listed).
 * Each as the model it runs: a listed name an alias takes (`claude-*=…` takes `claude-code` too) runs
 * that alias's target, as a request naming it would.
 */
async function catalog(): Promise<{ models: CatalogModel[]; tags: OllamaModel[] }> {
  const tags = await listOllamaModels();
  const aliases = env().MODEL_ALIASES;
  const entry = (id: string, at = startedAt): CatalogModel => {
    const runs = aliasTarget(aliases, id) ?? id;
    return { id, provider: providerOf(runs), created: at, runs, contextWindow: null };
  };
  const claude = claudeModelIds().map((id) => entry(id));
  const ollama = tags.map((m) => entry(`${OLLAMA_PREFIX}${m.name}`, created(m)));
  const exact = aliases
    .filter((a) => a.prefix === undefined && !claude.some((c) => c.id === a.alias))
    .map((a) => entry(a.alias));
  return { models: [...claude, ...ollama, ...exact], tags };
}

const created = (m: OllamaModel) => Math.floor(m.modifiedAt / 1000) || startedAt;

/** The context windows of `models` (those Ollama runs), from /api/show until `deadline`. */
async function withContextWindows(models: CatalogModel[], tags: OllamaModel[], deadline: number) {
  const behind = new Map(models.map((m) => [m, ollamaModelOf(tags, m.runs)]));
  const wanted = [...new Set([...behind.values()].filter((t): t is OllamaModel => t !== undefined))];
  if (wanted.length === 0) return models;
  const windows = await contextWindows(wanted, deadline);
  return models.map((m) => {
    const t = behind.get(m);
    return t ? { ...m, contextWindow: windows.get(t.name) ?? null } : m;
  });
}

/** Every model a client may name, with context windows where Ollama states them (2 s budget in all). */
export async function listCatalog(): Promise<CatalogModel[]> {
  const deadline = Date.now() + MODEL_LIST_BUDGET_MS;
  const { models, tags } = await catalog();
  return withContextWindows(models, tags, deadline);
}

/**
 * One model by id: a listed one (`ollama/<name>` also finds `<name>:latest`), or a name an alias
 * pattern (MODEL_ALIASES `prefix*`) takes, as the model it runs. 404 otherwise.
 */
export async function findModel(id: string): Promise<CatalogModel> {
  const deadline = Date.now() + MODEL_LIST_BUDGET_MS;
  const { models, tags } = await catalog();
  let found = models.find((m) => m.id === id || (id.startsWith(OLLAMA_PREFIX) && m.id === `${id}:latest`));
  if (!found) {
    const runs = aliasTarget(env().MODEL_ALIASES, id);
    if (runs === null) throw modelNotFound(id);
    found = { id, provider: providerOf(runs), created: startedAt, runs, contextWindow: null };
  }
  const [withWindow] = await withContextWindows([found], tags, deadline);
  return withWindow ?? found;
}

export const openaiModel = (m: CatalogModel): ModelObject => ({
  id: m.id,
  object: "model",
  created: m.created,
  owned_by: m.provider,
  ...(m.contextWindow !== null ? { max_input_tokens: m.contextWindow } : {}),
});

/** The models of /v1/models in OpenAI's shape (the console's model list too). */
export const listModels = async (): Promise<ModelObject[]> => (await listCatalog()).map(openaiModel);
