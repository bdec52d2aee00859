/** Writes known records and sessions straight into a gateway's database (before or while it runs). */
import Database from "better-sqlite3";

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

export function seedRequests(dbPath: string, rows: SeedRequest[], now = Date.now()): void {
  const db = new Database(dbPath);
  const insert =
    db.prepare(`INSERT INTO Request (id, createdAt, model, provider, upstreamModel, stream, sessionId, status,
    httpStatus, errorType, errorCode, errorMessage, finishReason, promptTokens, completionTokens, totalTokens, cachedTokens,
    costUsd, durationMs, ttftMs, userAgent, clientAddress)
    VALUES (@id, @createdAt, @model, @provider, NULL, 0, @sessionId, @status, @httpStatus, @errorType, NULL, @errorMessage,
    @finishReason, @promptTokens, @completionTokens, @totalTokens, @cachedTokens, @costUsd, @durationMs, @ttftMs, 'seed', '127.0.0.1')`);
  db.transaction(() => {
    for (const r of rows) {
      const status = r.status ?? "ok";
      const p = r.promptTokens ?? 10;
      const c = r.completionTokens ?? 5;
      insert.run({
        id: r.id,
        createdAt: now - r.minutesAgo * 60_000,
        model: r.model,
        provider: r.provider,
        sessionId: r.sessionId ?? null,
        status,
        httpStatus: r.httpStatus ?? (status === "ok" ? 200 : status === "cancelled" ? 499 : 502),
        errorType: status === "error" ? "api_error" : null,
        errorMessage: r.errorMessage ?? (status === "error" ? "seeded failure" : null),
        finishReason: status === "ok" ? "stop" : null,
        promptTokens: p,
        completionTokens: c,
        totalTokens: p + c,
        cachedTokens: r.cachedTokens ?? 0,
        costUsd: r.costUsd ?? null,
        durationMs: r.durationMs ?? 1000,
        ttftMs: r.ttftMs === undefined ? 200 : r.ttftMs,
      });
    }
  })();
  db.close();
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
