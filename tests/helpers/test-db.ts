// Test helpers for the console queries: a copy of the migrated template database and direct inserts.
// Only tests import this file.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { inject } from "vitest";

/**
 * Copies the migrated template database and points USAGE_DB_PATH at it. Call before the first dynamic
 * import of a server module (env() is read once per process).
 */
export function freshDb(name: string): string {
  const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), `${name}-`));
  const file = path.join(dir, "usage.db");
  fs.copyFileSync(inject("templateDb"), file);
  process.env.USAGE_DB_PATH = file;
  return file;
}

export interface SeedRow {
  id: string;
  /** createdAt, unix ms */
  at: number;
  model?: string;
  provider?: string;
  status?: "ok" | "error" | "cancelled";
  httpStatus?: number;
  errorType?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  stream?: boolean;
  sessionId?: string | null;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  costUsd?: number | null;
  durationMs?: number;
  ttftMs?: number | null;
}

export function insertRequests(file: string, rows: SeedRow[]): void {
  const db = new Database(file);
  const insert =
    db.prepare(`INSERT INTO Request (id, createdAt, model, provider, upstreamModel, stream, sessionId, status,
    httpStatus, errorType, errorCode, errorMessage, finishReason, promptTokens, completionTokens, totalTokens,
    cachedTokens, costUsd, durationMs, ttftMs, userAgent, clientAddress)
    VALUES (@id, @at, @model, @provider, NULL, @stream, @sessionId, @status, @httpStatus, @errorType, @errorCode,
    @errorMessage, NULL, @promptTokens, @completionTokens, @totalTokens, @cachedTokens, @costUsd, @durationMs, @ttftMs,
    'test', NULL)`);
  db.transaction(() => {
    for (const r of rows) {
      const status = r.status ?? "ok";
      const p = r.promptTokens ?? 0;
      const c = r.completionTokens ?? 0;
      insert.run({
        id: r.id,
        at: r.at,
        model: r.model ?? "ollama/qwen3:8b",
        provider: r.provider ?? "ollama",
        stream: r.stream ? 1 : 0,
        sessionId: r.sessionId ?? null,
        status,
        httpStatus: r.httpStatus ?? (status === "ok" ? 200 : status === "cancelled" ? 499 : 502),
        errorType: r.errorType ?? (status === "error" ? "api_error" : status === "cancelled" ? "cancelled" : null),
        errorCode: r.errorCode ?? null,
        errorMessage: r.errorMessage ?? (status === "error" ? "failed" : null),
        promptTokens: p,
        completionTokens: c,
        totalTokens: p + c,
        cachedTokens: r.cachedTokens ?? 0,
        costUsd: r.costUsd ?? null,
        durationMs: r.durationMs ?? 100,
        ttftMs: r.ttftMs === undefined ? null : r.ttftMs,
      });
    }
  })();
  db.close();
}

/** Runs a read query straight on the file (the reference the tests compare with). */
export function query<T = Record<string, unknown>>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export function exec(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/** A small deterministic PRNG (mulberry32) for seeded random rows. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODELS = [
  ["ollama/qwen3:8b", "ollama"],
  ["ollama/llama3.2:3b", "ollama"],
  ["sonnet", "claude-code"],
  ["opus", "claude-code"],
] as const;

/**
 * `count` seeded random requests over the `days` before `end` (10% errors, 5% cancelled, durations
 * from 1 ms to 22 s, some TTFTs unknown, costs for Claude Code), plus three records of unparsed
 * requests (empty model and provider) 2–4 hours before `end`.
 */
export function randomRequests(count: number, seed: number, end: number, days: number): SeedRow[] {
  const rnd = prng(seed);
  const rows: SeedRow[] = [];
  for (let i = 0; i < count; i++) {
    const [model, provider] = MODELS[Math.floor(rnd() * MODELS.length)] ?? MODELS[0];
    const r = rnd();
    const status = r < 0.1 ? "error" : r < 0.15 ? "cancelled" : "ok";
    rows.push({
      id: `r${i}`,
      at: end - Math.floor(rnd() * days * 86_400_000),
      model,
      provider,
      status,
      promptTokens: Math.floor(rnd() * 500),
      completionTokens: status === "ok" ? Math.floor(rnd() * 300) : 0,
      cachedTokens: provider === "claude-code" ? Math.floor(rnd() * 100) : 0,
      costUsd: provider === "claude-code" && status === "ok" ? Math.round(rnd() * 1e4) / 1e5 : null,
      durationMs: Math.round(Math.exp(rnd() * 10)),
      ttftMs: rnd() < 0.2 ? null : Math.round(Math.exp(rnd() * 8)),
    });
  }
  for (let i = 0; i < 3; i++)
    rows.push({ id: `bad${i}`, at: end - (1 + i) * 3_600_000, model: "", provider: "", status: "error" });
  return rows;
}
