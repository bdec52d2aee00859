// The writer of request records: one SQLite connection of its own (better-sqlite3, no Prisma on this
// path), group commit (every op queued during one turn of the event loop goes into one transaction),
// never blocking on a lock held elsewhere (busy_timeout 0, retried a few ms later), and retried
// with back-off while the database fails, so records survive a database that comes back.
import fs from "node:fs";
import Database from "better-sqlite3";
import type { RequestContentRow, RequestRow } from "./store";

export type RecordOp =
  | { kind: "begin"; id: string; snapshot: () => { row: RequestRow; content: RequestContentRow | null } }
  | { kind: "finish"; id: string; row: RequestRow; content: RequestContentRow | null };

interface Queued {
  op: RecordOp;
  queuedAt: number;
  failed: boolean;
  done: (ok: boolean) => void;
}

export const COLUMNS = [
  "id",
  "createdAt",
  "model",
  "provider",
  "upstreamModel",
  "stream",
  "sessionId",
  "status",
  "httpStatus",
  "errorType",
  "errorCode",
  "errorMessage",
  "finishReason",
  "promptTokens",
  "completionTokens",
  "totalTokens",
  "cachedTokens",
  "costUsd",
  "durationMs",
  "ttftMs",
  "userAgent",
  "clientAddress",
  "endpoint",
  "requestedModel",
  "keyId",
  "parentRequestId",
  "toolWaitMs",
] as const;

const INSERT = `INSERT INTO "Request" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${COLUMNS.map((c) => `@${c}`).join(", ")})`;
const BEGIN_SQL = `${INSERT} ON CONFLICT ("id") DO NOTHING`;
const FINISH_SQL = `${INSERT} ON CONFLICT ("id") DO UPDATE SET ${COLUMNS.filter((c) => c !== "id" && c !== "createdAt")
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(", ")}`;
const CONTENT_SQL = `INSERT INTO "RequestContent" ("requestId", "prompt", "answer") VALUES (?, ?, ?)
  ON CONFLICT ("requestId") DO UPDATE SET "prompt" = excluded."prompt", "answer" = excluded."answer"`;

/** Longest prompt or answer kept, in characters. */
const CONTENT_LIMIT = 200_000;
export const clip = (s: string) => (s.length > CONTENT_LIMIT ? `${s.slice(0, CONTENT_LIMIT)}…[truncated]` : s);

/** A queued record is given up after this long (logged by the recorder), or when the queue is this long. */
export const GIVE_UP_MS = 10 * 60_000;
/** How long a request's start waits to be written with others (group commit). */
export const BEGIN_WINDOW_MS = 5;
export const MAX_QUEUE = 20_000;

function params(row: RequestRow): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    const v = (row as unknown as Record<string, unknown>)[c];
    p[c] = v instanceof Date ? v.getTime() : typeof v === "boolean" ? (v ? 1 : 0) : (v ?? null);
  }
  p.endpoint ??= "/v1/chat/completions";
  return p;
}

const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: string })?.code ?? ""));
const reason = (e: unknown) =>
  String((e as Error)?.message ?? e)
    .split("\n")[0]!
    .slice(0, 200);

export class RecordWriter {
  failedWrites = 0;
  lost = 0;
  /** Why the last write failed, while writes fail. */
  error: string | null = null;
  private db: Database.Database | null = null;
  private write: ((batch: Queued[], finishing: Set<string>) => void) | null = null;
  private ino: number | null = null;
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate = false;
  private backoff = 0;

  constructor(readonly file: string) {}

  enqueue(op: RecordOp): Promise<boolean> {
    return new Promise((done) => {
      this.queue.push({ op, queuedAt: Date.now(), failed: false, done });
      if (this.queue.length > MAX_QUEUE) this.giveUp(this.queue.shift()!);
      // A start waits a few ms for company (and for its own end: a request done by then is written
      // once, final); an end is written at the next turn of the event loop, as its caller waits.
      this.schedule(op.kind === "begin" ? BEGIN_WINDOW_MS : 0);
    });
  }

  /** Rows still waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * A cheap write: rewrites the header's user_version with its own value (a real commit, so a
   * read-only, immutable or full file fails it). Null when it works, else the reason.
   */
  probe(): string | null {
    try {
      const db = this.open();
      const v = db.pragma("user_version", { simple: true }) as number;
      db.pragma(`user_version = ${Number(v) | 0}`);
      if (this.queue.length === 0) this.error = null;
      return this.error;
    } catch (e) {
      if (isBusy(e)) return this.error;
      this.close();
      return reason(e);
    }
  }

  /** Writes everything queued now, synchronously (used at shutdown). */
  flushNow(): void {
    this.flush();
  }

  private schedule(delay = 0) {
    if (delay === 0) {
      if (this.immediate) return;
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        this.flush();
      });
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, delay);
    this.timer.unref?.();
  }

  private open(): Database.Database {
    // A database file deleted (or replaced) under us: writing on to the old inode would lose every record.
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      this.close();
      throw new Error(`the database file ${this.file} is gone`);
    }
    if (this.db && st.ino !== this.ino) this.close();
    if (!this.db) {
      const db = new Database(this.file, { fileMustExist: true, timeout: 0 });
      try {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
      } catch (e) {
        db.close();
        throw e;
      }
      this.db = db;
      this.ino = st.ino;
      const stmts = { begin: db.prepare(BEGIN_SQL), finish: db.prepare(FINISH_SQL), content: db.prepare(CONTENT_SQL) };
      this.write = db.transaction((batch: Queued[], finishing: Set<string>) => {
        for (const { op } of batch) {
          // A request that already ended in this batch: only its final record is written.
          if (op.kind === "begin" && finishing.has(op.id)) continue;
          const { row, content: c } = op.kind === "begin" ? op.snapshot() : op;
          (op.kind === "begin" ? stmts.begin : stmts.finish).run(params(row));
          if (c) stmts.content.run(row.id, clip(c.prompt), clip(c.answer));
        }
      }).immediate;
    }
    return this.db;
  }

  private close() {
    try {
      this.db?.close();
    } catch {}
    this.db = null;
    this.ino = null;
    this.write = null;
  }

  private giveUp(q: Queued) {
    this.lost++;
    if (!q.failed) this.failedWrites++;
    q.done(false);
  }

  private flush() {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const finishing = new Set(batch.filter((q) => q.op.kind === "finish").map((q) => q.op.id));
    try {
      this.open();
      this.write!(batch, finishing);
      this.error = null;
      this.backoff = 0;
      for (const q of batch) q.done(true);
    } catch (e) {
      if (!isBusy(e)) {
        // Reopen on the next attempt: a connection that saw an I/O error is not trusted again.
        this.close();
        this.error = reason(e);
        for (const q of batch) {
          if (!q.failed) this.failedWrites++;
          q.failed = true;
        }
      }
      const now = Date.now();
      const keep = batch.filter((q) => {
        if (now - q.queuedAt < GIVE_UP_MS) return true;
        this.giveUp(q);
        return false;
      });
      this.queue = [...keep, ...this.queue];
      // Busy (another writer): retry in a few ms. Failing: back off up to 1 s.
      this.backoff = isBusy(e) ? 5 : Math.min(1_000, Math.max(50, this.backoff * 2));
      this.schedule(this.backoff);
    }
  }
}

/**
 * On start-up: requests still `running` belong to a gateway that died (killed, out of memory, power):
 * they become `interrupted`, keeping what was known. Returns how many. (Runs before this process
 * serves; a request of another live instance on the same file is corrected when that one ends.)
 */
export function markInterrupted(file: string): number {
  const db = new Database(file, { fileMustExist: true, timeout: 5_000 });
  try {
    return db
      .prepare(
        `UPDATE "Request" SET "status" = 'interrupted', "errorType" = 'interrupted', "errorCode" = 'gateway_stopped',
          "errorMessage" = 'The gateway stopped before this request ended.' WHERE "status" = 'running'`,
      )
      .run().changes;
  } finally {
    db.close();
  }
}
