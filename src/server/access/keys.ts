import "server-only";
import { db } from "../db";
import { env } from "../env";
import { ApiError, badRequest } from "../openai/errors";
import { effectiveLevel, keyWorkspace, protectedPaths } from "../providers/claude-code/workspace";
import { checkWorkspace, forgetWorkspaces, isAgentLevel } from "./agent";
import type { KeyChanges } from "./key-input";
import { hashKey, newKeyId, newKeyText, visiblePrefix } from "./key-text";
import { budgetPeriod } from "./limits";
import { spendWithLifetime } from "./spend";
import { type AuditEntry, auditLog, forgetAnyKeyCache, type KeyRecord, keyById, listKeys, writeAudit } from "./store";

/**
 * The key service: what the admin API (/admin/keys) and the console's keys page both call.
 * The key text exists only in the answer of create and rotate; the database keeps its SHA-256.
 */

export interface Actor {
  by: AuditEntry["actor"];
  address: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function keyStatus(k: KeyRecord, now = Date.now()): "active" | "revoked" | "expired" {
  if (k.revokedAt) return "revoked";
  if (k.expiresAt && k.expiresAt.getTime() <= now) return "expired";
  return "active";
}

/**
 * A key as the admin API shows it (never its text), with its spend this budget period and over its life
 * (from its spend ledger: retention does not change them) and its last use (from its newest record).
 */
export async function keyView(k: KeyRecord, now = Date.now()) {
  const period = budgetPeriod(k, now);
  const prisma = await db();
  const [spend, last] = await Promise.all([
    spendWithLifetime(k, period.start),
    prisma.request.findFirst({
      where: { keyId: k.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { createdAt: true },
    }),
  ]);
  return {
    id: k.id,
    object: "api_key" as const,
    name: k.name,
    key_prefix: k.prefix,
    allowed_models: k.allowedModels,
    rpm_limit: k.rpmLimit,
    tpm_limit: k.tpmLimit,
    max_budget_usd: k.maxBudgetUsd,
    max_budget_tokens: k.maxBudgetTokens,
    budget_duration: k.budgetDuration,
    expires_at: iso(k.expiresAt),
    created_at: iso(k.createdAt),
    updated_at: iso(k.updatedAt),
    revoked_at: iso(k.revokedAt),
    agent_level: k.agentLevel,
    effective_agent_level: effectiveLevel(isAgentLevel(k.agentLevel) ? k.agentLevel : null),
    workspace: k.workspace ?? keyWorkspace(k.id),
    workspace_chosen: k.workspace !== null,
    last_used_at: iso(last?.createdAt ?? null),
    status: keyStatus(k, now),
    usage: {
      period_start: iso(period.start),
      period_end: iso(period.end),
      requests: spend.period.requests,
      total_tokens: spend.period.tokens,
      cost_usd: spend.period.costUsd,
      lifetime_requests: spend.lifetime.requests,
      lifetime_total_tokens: spend.lifetime.tokens,
      lifetime_cost_usd: spend.lifetime.costUsd,
    },
  };
}

export type KeyView = Awaited<ReturnType<typeof keyView>>;

const notFound = (id: string) =>
  new ApiError(404, `No API key with id "${id.slice(0, 100)}".`, { code: "key_not_found", param: "id" });

async function mustGet(id: string): Promise<KeyRecord> {
  const k = await keyById(id);
  if (!k) throw notFound(id);
  return k;
}

/** What the audit log keeps of a change: the fields set (never a key text). */
const auditDetails = (c: KeyChanges) =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));

/**
 * The agent fields of a change, checked: `unrestricted` only while CLAUDE_SKIP_PERMS is on, a workspace
 * absolute, clear of what the sandbox protects, and not another key's unless `share_workspace`.
 */
async function checkAgent(id: string | null, c: KeyChanges): Promise<KeyChanges> {
  if (c.agentLevel === "unrestricted" && !env().CLAUDE_SKIP_PERMS) {
    throw badRequest(
      "The level `unrestricted` needs CLAUDE_SKIP_PERMS=true on the gateway; without it, keys are `read-only` or `sandboxed`.",
      "agent_level",
      "level_not_permitted",
    );
  }
  if (!c.workspace) return c;
  return { ...c, workspace: await checkWorkspace(id, c.workspace, c.shareWorkspace === true, protectedPaths()) };
}

const columns = (c: KeyChanges) => ({
  ...(c.name !== undefined ? { name: c.name } : {}),
  ...(c.allowedModels !== undefined ? { allowedModels: JSON.stringify(c.allowedModels) } : {}),
  ...(c.rpmLimit !== undefined ? { rpmLimit: c.rpmLimit } : {}),
  ...(c.tpmLimit !== undefined ? { tpmLimit: c.tpmLimit } : {}),
  ...(c.maxBudgetUsd !== undefined ? { maxBudgetUsd: c.maxBudgetUsd } : {}),
  ...(c.maxBudgetTokens !== undefined ? { maxBudgetTokens: c.maxBudgetTokens } : {}),
  ...(c.budgetDuration !== undefined ? { budgetDuration: c.budgetDuration } : {}),
  ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
  ...(c.agentLevel !== undefined ? { agentLevel: c.agentLevel } : {}),
  ...(c.workspace !== undefined ? { workspace: c.workspace } : {}),
});

/** Creates a key; the answer is the only place its text ever appears. */
export async function createKey(given: KeyChanges & { name: string }, actor: Actor) {
  const input = { ...(await checkAgent(null, given)), name: given.name };
  const prisma = await db();
  const key = newKeyText();
  const now = new Date();
  const id = newKeyId();
  await prisma.apiKey.create({
    data: {
      id,
      hash: hashKey(key),
      prefix: visiblePrefix(key),
      createdAt: now,
      updatedAt: now,
      ...columns(input),
      name: input.name,
    },
    select: { id: true },
  });
  forgetAnyKeyCache();
  forgetWorkspaces();
  // what the key was created with (limits left unset are not listed)
  const set = Object.fromEntries(Object.entries(auditDetails(input)).filter(([, v]) => v !== null));
  await writeAudit({ keyId: id, action: "created", actor: actor.by, address: actor.address, details: set });
  return { ...(await keyView(await mustGet(id))), key };
}

export async function listKeyViews(): Promise<KeyView[]> {
  const now = Date.now();
  return Promise.all((await listKeys()).map((k) => keyView(k, now)));
}

export async function getKeyView(id: string): Promise<KeyView> {
  return keyView(await mustGet(id));
}

export async function updateKey(id: string, given: KeyChanges, actor: Actor): Promise<KeyView> {
  await mustGet(id);
  const changes = await checkAgent(id, given);
  const prisma = await db();
  await prisma.apiKey.update({
    where: { id },
    data: { ...columns(changes), updatedAt: new Date() },
    select: { id: true },
  });
  forgetWorkspaces();
  await writeAudit({
    keyId: id,
    action: "updated",
    actor: actor.by,
    address: actor.address,
    details: auditDetails(changes),
  });
  return getKeyView(id);
}

/**
 * Revokes at once: the next request with the key is a 401 (every request looks the key up). Its
 * workspace's files stay where they are; the answer says where.
 */
export async function revokeKey(id: string, actor: Actor): Promise<KeyView & { message: string }> {
  const k = await mustGet(id);
  if (!k.revokedAt) {
    const prisma = await db();
    const now = new Date();
    await prisma.apiKey.update({ where: { id }, data: { revokedAt: now, updatedAt: now }, select: { id: true } });
    forgetAnyKeyCache();
    forgetWorkspaces();
    await writeAudit({ keyId: id, action: "revoked", actor: actor.by, address: actor.address });
  }
  const view = await getKeyView(id);
  return { ...view, message: `The key is revoked. Its workspace's files are left in place at ${view.workspace}.` };
}

/** A new text for the same key (id, limits, usage): the old text stops working at once. */
export async function rotateKey(id: string, actor: Actor) {
  const k = await mustGet(id);
  if (k.revokedAt) {
    throw new ApiError(409, "A revoked key cannot be rotated; create a new one.", { code: "key_revoked" });
  }
  const key = newKeyText();
  const prisma = await db();
  await prisma.apiKey.update({
    where: { id },
    data: { hash: hashKey(key), prefix: visiblePrefix(key), updatedAt: new Date() },
    select: { id: true },
  });
  await writeAudit({ keyId: id, action: "rotated", actor: actor.by, address: actor.address });
  return { ...(await getKeyView(id)), key };
}

/** The audit log of key changes, newest first, with the key names. */
export async function keyAudit(limit = 100) {
  const [entries, keys] = await Promise.all([auditLog(limit), listKeys()]);
  const names = new Map(keys.map((k) => [k.id, k.name]));
  return entries.map((e) => ({
    id: e.id,
    key_id: e.keyId,
    key_name: names.get(e.keyId) ?? null,
    action: e.action,
    at: e.at.toISOString(),
    actor: e.actor,
    address: e.address,
    details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
  }));
}
