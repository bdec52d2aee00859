// The one test seeder: a copy of the migrated template database, records, sessions and stored content
// written straight into a database file (before or while a gateway runs), and reads of it. Only tests
// import this file.
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
  finishReason?: string | null;
  userAgent?: string;
  clientAddress?: string | null;
}

/** The one writer of request records for tests: every column the recorder fills, with test defaults. */
export function insertRequests(file: string, rows: SeedRow[]): void {
  const db = new Database(file);
  const insert =
    db.prepare(`INSERT INTO Request (id, createdAt, model, provider, upstreamModel, stream, sessionId, status,
    httpStatus, errorType, errorCode, errorMessage, finishReason, promptTokens, completionTokens, totalTokens,
    cachedTokens, costUsd, durationMs, ttftMs, userAgent, clientAddress)
    VALUES (@id, @at, @model, @provider, NULL, @stream, @sessionId, @status, @httpStatus, @errorType, @errorCode,
    @errorMessage, @finishReason, @promptTokens, @completionTokens, @totalTokens, @cachedTokens, @costUsd, @durationMs,
    @ttftMs, @userAgent, @clientAddress)`);
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
        errorType:
          r.errorType !== undefined
            ? r.errorType
            : status === "error"
              ? "api_error"
              : status === "cancelled"
                ? "cancelled"
                : null,
        errorCode: r.errorCode ?? null,
        errorMessage: r.errorMessage !== undefined ? r.errorMessage : status === "error" ? "failed" : null,
        finishReason: r.finishReason ?? null,
        promptTokens: p,
        completionTokens: c,
        totalTokens: p + c,
        cachedTokens: r.cachedTokens ?? 0,
        costUsd: r.costUsd ?? null,
        durationMs: r.durationMs ?? 100,
        ttftMs: r.ttftMs === undefined ? null : r.ttftMs,
        userAgent: r.userAgent ?? "test",
        clientAddress: r.clientAddress ?? null,
      });
    }
  })();
  db.close();
}

/**
 * Records as the console's tests want them: `minutesAgo` before `now`, 10 + 5 tokens, 1 s, first token
 * after 200 ms, finish reason "stop" when ok, as if sent from 127.0.0.1 (written by insertRequests).
 */
export function seedRequests(dbPath: string, rows: SeedRequest[], now = Date.now()): void {
  insertRequests(
    dbPath,
    rows.map(({ minutesAgo, ...r }) => {
      const status = r.status ?? "ok";
      return {
        ...r,
        at: now - minutesAgo * 60_000,
        status,
        errorType: status === "error" ? "api_error" : null,
        errorMessage: r.errorMessage ?? (status === "error" ? "seeded failure" : null),
        finishReason: status === "ok" ? "stop" : null,
        promptTokens: r.promptTokens ?? 10,
        completionTokens: r.completionTokens ?? 5,
        durationMs: r.durationMs ?? 1000,
        ttftMs: r.ttftMs === undefined ? 200 : r.ttftMs,
        userAgent: "seed",
        clientAddress: "127.0.0.1",
      };
    }),
  );
}

export interface SeedRequest {
  id: string;
  minutesAgo: number;
  model: string;
  provider: string;
  status?: "ok" | "error" | "cancelled";
  httpStatus?: number;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  costUsd?: number | null;
  durationMs?: number;
  ttftMs?: number | null;
  sessionId?: string | null;
  errorMessage?: string | null;
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

export function seedSession(
  dbPath: string,
  s: { id: string; provider: string; model: string; title: string; turns: Array<[string, string]> },
  now = Date.now(),
): void {
  const db = new Database(dbPath);
  db.transaction(() => {
    db.prepare(
      `INSERT INTO Session (id, provider, model, upstreamSessionId, systemPrompt, title, createdAt, lastUsedAt, turnCount,
       promptTokens, completionTokens, totalTokens) VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      s.id,
      s.provider,
      s.model,
      s.title,
      now - 60_000,
      now,
      s.turns.length,
      10 * s.turns.length,
      5 * s.turns.length,
      15 * s.turns.length,
    );
    const msg = db.prepare(
      `INSERT INTO SessionMessage (sessionId, turn, role, content, requestId, promptTokens, completionTokens, createdAt)
       VALUES (?, ?, ?, ?, NULL, ?, ?, ?)`,
    );
    s.turns.forEach(([user, assistant], i) => {
      msg.run(s.id, i + 1, "user", JSON.stringify({ role: "user", content: user }), null, null, now);
      msg.run(s.id, i + 1, "assistant", JSON.stringify({ role: "assistant", content: assistant }), 10, 5, now);
    });
  })();
  db.close();
}

/** Stores a request's prompt and answer as the recorder would (the prompt text as given: JSON or not). */
export function seedContent(dbPath: string, requestId: string, prompt: string, answer: string): void {
  const db = new Database(dbPath);
  db.prepare("INSERT INTO RequestContent (requestId, prompt, answer) VALUES (?, ?, ?)").run(requestId, prompt, answer);
  db.close();
}
