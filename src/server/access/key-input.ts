import { z } from "zod";
import { badRequest } from "../openai/errors";
import { AGENT_LEVELS, type AgentLevel } from "./agent";
import { DURATIONS } from "./limits";

const limit = (max: number) => z.number().int().positive().max(max).nullable().optional();

/** The fields of a key, with the admin API's names (`models` is accepted for `allowed_models`, as LiteLLM names it). */
const fields = {
  name: z.string().trim().min(1).max(100),
  allowed_models: z.array(z.string().trim().min(1).max(200)).max(200).optional(),
  models: z.array(z.string().trim().min(1).max(200)).max(200).optional(),
  rpm_limit: limit(1_000_000),
  tpm_limit: limit(2_000_000_000),
  max_budget_usd: z.number().positive().max(1e9).nullable().optional(),
  max_budget_tokens: limit(2_000_000_000),
  budget_duration: z
    .enum(Object.keys(DURATIONS) as [string, ...string[]])
    .nullable()
    .optional(),
  expires_at: z
    .union([z.iso.datetime({ offset: true }), z.number().int().positive()])
    .nullable()
    .optional(),
  /** What the key's Claude Code tasks may do (access/agent.ts); null: the default. */
  agent_level: z.enum(AGENT_LEVELS).nullable().optional(),
  /** An absolute path for the key's workspace; null: its own folder under CLAUDE_WORKDIR. */
  workspace: z.string().trim().min(1).max(1_000).nullable().optional(),
  /** The admin means the workspace to be shared with the key(s) that already use it. */
  share_workspace: z.boolean().optional(),
};

const createSchema = z.strictObject(fields);
const updateSchema = z.strictObject({ ...fields, name: fields.name.optional() });

export interface KeyChanges {
  name?: string;
  allowedModels?: string[];
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  maxBudgetUsd?: number | null;
  maxBudgetTokens?: number | null;
  budgetDuration?: string | null;
  expiresAt?: Date | null;
  agentLevel?: AgentLevel | null;
  workspace?: string | null;
  /** Not stored: lets `workspace` overlap another key's. */
  shareWorkspace?: boolean;
}

function fail(error: z.ZodError): never {
  const issue = error.issues[0];
  const param = issue?.path.map(String).join(".") || null;
  const what = issue?.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue?.message;
  throw badRequest(
    `Invalid key field${param ? ` '${param}'` : ""}: ${what ?? "invalid value"}.`,
    param,
    "invalid_value",
  );
}

function toChanges(v: z.infer<typeof updateSchema>): KeyChanges {
  const out: KeyChanges = {};
  if (v.name !== undefined) out.name = v.name;
  const models = v.allowed_models ?? v.models;
  if (models !== undefined) out.allowedModels = [...new Set(models)];
  if (v.rpm_limit !== undefined) out.rpmLimit = v.rpm_limit;
  if (v.tpm_limit !== undefined) out.tpmLimit = v.tpm_limit;
  if (v.max_budget_usd !== undefined) out.maxBudgetUsd = v.max_budget_usd;
  if (v.max_budget_tokens !== undefined) out.maxBudgetTokens = v.max_budget_tokens;
  if (v.budget_duration !== undefined) out.budgetDuration = v.budget_duration;
  if (v.agent_level !== undefined) out.agentLevel = v.agent_level;
  if (v.workspace !== undefined) out.workspace = v.workspace;
  if (v.share_workspace !== undefined) out.shareWorkspace = v.share_workspace;
  if (v.expires_at !== undefined) {
    out.expiresAt =
      v.expires_at === null ? null : new Date(typeof v.expires_at === "number" ? v.expires_at * 1000 : v.expires_at);
  }
  return out;
}

const asObject = (body: unknown) => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  return body;
};

/** A new key's fields (POST /admin/keys, the console's form): `name` is required. */
export function parseCreate(body: unknown): KeyChanges & { name: string } {
  const r = createSchema.safeParse(asObject(body));
  if (!r.success) fail(r.error);
  return { ...toChanges(r.data), name: r.data.name };
}

/** The fields to change (PATCH /admin/keys/{id}): any subset; null clears a limit. */
export function parseUpdate(body: unknown): KeyChanges {
  const r = updateSchema.safeParse(asObject(body));
  if (!r.success) fail(r.error);
  return toChanges(r.data);
}
