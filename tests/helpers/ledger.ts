// The key spend ledger's tests (src/server/access/spend.test.ts on SQLite, spend-pg.test.ts on PostgreSQL):
// a database as it was before the ledger (every migration before 20261203000100_key_spend, applied as
// `prisma migrate deploy` runs them: each script whole), a history of keys and records written into it,
// then the ledger's migration; and what the request log says a key spent, to compare the ledger with.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { inject } from "vitest";
import type { RequestRow } from "../../src/server/usage/store";
import { prng } from "./seed";

export const LEDGER_MIGRATION = "20261203000100_key_spend";
const H = 3_600_000;
const D = 24 * H;
const root = path.resolve(import.meta.dirname, "../..");

/**
 * The migration scripts of a folder in order: those before the ledger's, or the ledger's own and every
 * later one (the database as the app now expects it, as `migrate deploy` would leave it).
 */
function scripts(dir: string, which: "before" | "ledger"): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && (which === "before" ? e.name < LEDGER_MIGRATION : e.name >= LEDGER_MIGRATION))
    .map((e) => e.name)
    .sort()
    .map((name) => fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

const sqliteMigrations = path.join(root, "prisma", "migrations");
const pgMigrations = path.join(root, "prisma", "postgres", "migrations");

/** A new SQLite file with every migration before the ledger's applied. */
export function sqliteBeforeLedger(name: string): string {
  const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), `${name}-`));
  const file = path.join(dir, "usage.db");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  for (const sql of scripts(sqliteMigrations, "before")) db.exec(sql);
  db.close();
  return file;
}

export function sqliteApplyLedger(file: string): void {
  const db = new Database(file);
  for (const sql of scripts(sqliteMigrations, "ledger")) db.exec(sql);
  db.close();
}

async function pgRun(url: string, sqls: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const sql of sqls) await c.query(sql);
  } finally {
    await c.end();
  }
}

export const pgBeforeLedger = (url: string) => pgRun(url, scripts(pgMigrations, "before"));
export const pgApplyLedger = (url: string) => pgRun(url, scripts(pgMigrations, "ledger"));

export interface SeedKey {
  id: string;
  createdAt: number;
  budgetDuration: string | null;
  maxBudgetTokens: number | null;
  maxBudgetUsd: number | null;
}

/** Inserts keys into a SQLite file (DateTime as Unix ms). */
export function insertKeys(file: string, keys: SeedKey[]): void {
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO ApiKey (id, name, hash, prefix, createdAt, updatedAt, budgetDuration, maxBudgetTokens, maxBudgetUsd)
     VALUES (?, ?, ?, 'ccb-test', ?, ?, ?, ?, ?)`,
  );
  for (const k of keys)
    insert.run(
      k.id,
      k.id,
      `hash-${k.id}`,
      k.createdAt,
      k.createdAt,
      k.budgetDuration,
      k.maxBudgetTokens,
      k.maxBudgetUsd,
    );
  db.close();
}

/** Inserts keys into a PostgreSQL database (Unix ms → timestamp(3) UTC). */
export async function insertKeysPg(url: string, keys: SeedKey[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const k of keys) {
      await c.query(
        `INSERT INTO "ApiKey" ("id", "name", "hash", "prefix", "createdAt", "updatedAt", "budgetDuration", "maxBudgetTokens", "maxBudgetUsd")
         VALUES ($1, $1, $2, 'ccb-test', $3, $3, $4, $5, $6)`,
        [
          k.id,
          `hash-${k.id}`,
          new Date(k.createdAt).toISOString().replace("Z", ""),
          k.budgetDuration,
          k.maxBudgetTokens,
          k.maxBudgetUsd,
        ],
      );
    }
  } finally {
    await c.end();
  }
}

/** Keys with odd creation times (not on a clock hour), one per budget_duration, and one with no period. */
export function historyKeys(now: number): SeedKey[] {
  return [
    {
      id: "key_month",
      createdAt: now - 47 * D - 17 * 60_000 - 321,
      budgetDuration: "30d",
      maxBudgetTokens: 9e6,
      maxBudgetUsd: null,
    },
    {
      id: "key_week",
      createdAt: now - 20 * D - 5 * H - 11,
      budgetDuration: "7d",
      maxBudgetTokens: null,
      maxBudgetUsd: 50,
    },
    {
      id: "key_day",
      createdAt: now - 3 * D - 7 * 60_000,
      budgetDuration: "1d",
      maxBudgetTokens: 1e5,
      maxBudgetUsd: null,
    },
    {
      id: "key_hour",
      createdAt: now - 5 * H - 59 * 60_000 - 999,
      budgetDuration: "1h",
      maxBudgetTokens: 1e4,
      maxBudgetUsd: null,
    },
    { id: "key_life", createdAt: now - 9 * D, budgetDuration: null, maxBudgetTokens: null, maxBudgetUsd: 2 },
  ];
}

/**
 * Records made before the ledger existed: `count` over the keys' lives up to `now`, some without a key,
 * some of a key id that is in no ApiKey row, a few still `running`; costs on some.
 */
export function insertHistory(file: string, keys: SeedKey[], now: number, count: number): void {
  const rnd = prng(16);
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO Request (id, createdAt, model, provider, status, httpStatus, promptTokens, completionTokens, totalTokens, costUsd, keyId)
     VALUES (?, ?, 'sonnet', 'claude-code', ?, 200, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const pick = Math.floor(rnd() * (keys.length + 2));
      const key = keys[pick];
      const keyId = key ? key.id : pick === keys.length ? null : "key_ghost";
      const from = key ? key.createdAt : now - 30 * D;
      const r = rnd();
      const status = r < 0.03 ? "running" : r < 0.13 ? "error" : r < 0.18 ? "cancelled" : "ok";
      const p = status === "running" ? 0 : Math.floor(rnd() * 4_000);
      const c = status === "ok" ? Math.floor(rnd() * 1_000) : 0;
      const cost = rnd() < 0.6 && status !== "running" ? Math.round(rnd() * 1e5) / 1e6 : null;
      insert.run(`hist${i}`, from + Math.floor(rnd() * (now - from)), status, p, c, p + c, cost, keyId);
    }
  })();
  db.close();
}

/** What the request log says a key spent from `since` on (final records only: the ledger's rule). */
export function logSpend(file: string, keyId: string, since: number) {
  const db = new Database(file, { readonly: true });
  try {
    const r = db
      .prepare(
        `SELECT COUNT(*) AS requests, COALESCE(SUM(totalTokens), 0) AS tokens, COALESCE(SUM(costUsd), 0) AS costUsd
         FROM Request WHERE keyId = ? AND createdAt >= ? AND status <> 'running'`,
      )
      .get(keyId, since) as { requests: number; tokens: number; costUsd: number };
    return r;
  } finally {
    db.close();
  }
}

/** A record as the recorder writes it, of key `keyId`. */
export function keyedRow(id: string, keyId: string | null, at: number, over: Partial<RequestRow> = {}): RequestRow {
  return {
    id,
    createdAt: new Date(at),
    model: "sonnet",
    provider: "claude-code",
    upstreamModel: null,
    stream: false,
    sessionId: null,
    status: "ok",
    httpStatus: 200,
    errorType: null,
    errorCode: null,
    errorMessage: null,
    finishReason: "stop",
    promptTokens: 30,
    completionTokens: 12,
    totalTokens: 42,
    cachedTokens: 0,
    costUsd: 0.25,
    durationMs: 900,
    ttftMs: 100,
    userAgent: null,
    clientAddress: null,
    keyId,
    ...over,
  };
}

/** The `running` record of the same request (what a start writes). */
export const runningRow = (id: string, keyId: string | null, at: number): RequestRow =>
  keyedRow(id, keyId, at, {
    status: "running",
    httpStatus: 0,
    finishReason: null,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    costUsd: null,
    durationMs: 0,
    ttftMs: null,
  });
