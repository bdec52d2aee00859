import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "../db";

/** An API key as the access policy sees it (no secret: the hash stays in the database). */
export interface KeyRecord {
  id: string;
  name: string;
  prefix: string;
  allowedModels: string[];
  rpmLimit: number | null;
  tpmLimit: number | null;
  maxBudgetUsd: number | null;
  maxBudgetTokens: number | null;
  budgetDuration: string | null;
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  revokedAt: Date | null;
  /** What its Claude Code tasks may do (access/agent.ts); null: the default. */
  agentLevel: string | null;
  /** The workspace the admin chose for it (an absolute path); null: its own folder under CLAUDE_WORKDIR. */
  workspace: string | null;
}

export const keySelect = {
  id: true,
  name: true,
  prefix: true,
  allowedModels: true,
  rpmLimit: true,
  tpmLimit: true,
  maxBudgetUsd: true,
  maxBudgetTokens: true,
  budgetDuration: true,
  expiresAt: true,
  createdAt: true,
  updatedAt: true,
  revokedAt: true,
  agentLevel: true,
  workspace: true,
} as const;

type Row = Omit<KeyRecord, "allowedModels"> & { allowedModels: string };

export function toRecord(row: Row): KeyRecord {
  let models: unknown = [];
  try {
    models = JSON.parse(row.allowedModels);
  } catch {}
  return { ...row, allowedModels: Array.isArray(models) ? models.filter((m) => typeof m === "string") : [] };
}

/** A DATETIME from a raw query: a Date (columns), or Unix ms / text (aggregates, other drivers). */
export function toDate(v: unknown): Date | null {
  if (v == null) return null;
  if (v instanceof Date) return v;
  if (typeof v === "number" || typeof v === "bigint") return new Date(Number(v));
  const s = String(v);
  return new Date(/^\d+$/.test(s) ? Number(s) : s);
}

/**
 * The key with this hash, on every request made with a key: one raw SELECT by the unique hash index
 * (plain SQL, the same in SQLite and PostgreSQL; a third of the time of the query builder here).
 */
export async function keyByHash(hash: string): Promise<(KeyRecord & { hash: string }) | null> {
  const prisma = await db();
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT "id", "name", "prefix", "allowedModels", "rpmLimit", "tpmLimit", "maxBudgetUsd", "maxBudgetTokens",
      "budgetDuration", "expiresAt", "createdAt", "updatedAt", "revokedAt", "agentLevel", "workspace", "hash"
    FROM "ApiKey" WHERE "hash" = ${hash}`;
  const r = rows[0];
  if (!r) return null;
  const n = (v: unknown) => (v == null ? null : Number(v));
  return {
    ...toRecord({
      id: String(r.id),
      name: String(r.name),
      prefix: String(r.prefix),
      allowedModels: String(r.allowedModels),
      rpmLimit: n(r.rpmLimit),
      tpmLimit: n(r.tpmLimit),
      maxBudgetUsd: n(r.maxBudgetUsd),
      maxBudgetTokens: n(r.maxBudgetTokens),
      budgetDuration: r.budgetDuration == null ? null : String(r.budgetDuration),
      expiresAt: toDate(r.expiresAt),
      createdAt: toDate(r.createdAt) ?? new Date(0),
      updatedAt: toDate(r.updatedAt) ?? new Date(0),
      revokedAt: toDate(r.revokedAt),
      agentLevel: r.agentLevel == null ? null : String(r.agentLevel),
      workspace: r.workspace == null ? null : String(r.workspace),
    }),
    hash: String(r.hash),
  };
}

export async function keyById(id: string): Promise<KeyRecord | null> {
  const prisma = await db();
  const row = await prisma.apiKey.findUnique({ where: { id }, select: keySelect });
  return row ? toRecord(row) : null;
}

export async function listKeys(): Promise<KeyRecord[]> {
  const prisma = await db();
  const rows = await prisma.apiKey.findMany({ select: keySelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map(toRecord);
}

let anyKeyCache: { value: boolean; at: number } | null = null;
/** How long "are there any usable keys?" is remembered (asked only by requests without a bearer on an open gateway). */
const ANY_KEY_TTL_MS = 2_000;

/** Whether any key that is not revoked exists (cached for 2 s; a change made here clears it). */
export async function anyActiveKey(now = Date.now()): Promise<boolean> {
  if (anyKeyCache && now - anyKeyCache.at < ANY_KEY_TTL_MS) return anyKeyCache.value;
  const prisma = await db();
  const row = await prisma.apiKey.findFirst({ where: { revokedAt: null }, select: { id: true } });
  anyKeyCache = { value: row !== null, at: now };
  return anyKeyCache.value;
}

export const forgetAnyKeyCache = () => {
  anyKeyCache = null;
};

export interface AuditEntry {
  keyId: string;
  action: "created" | "updated" | "revoked" | "rotated";
  actor: "admin" | "console";
  address: string | null;
  details?: Record<string, unknown>;
}

export async function writeAudit(e: AuditEntry): Promise<void> {
  const prisma = await db();
  await prisma.apiKeyAudit.create({
    data: {
      id: `aud_${randomBytes(8).toString("hex")}`,
      keyId: e.keyId,
      action: e.action,
      at: new Date(),
      actor: e.actor,
      address: e.address?.slice(0, 100) ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
    },
    select: { id: true },
  });
}

export async function auditLog(limit = 100) {
  const prisma = await db();
  return prisma.apiKeyAudit.findMany({
    select: { id: true, keyId: true, action: true, at: true, actor: true, address: true, details: true },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
  });
}
