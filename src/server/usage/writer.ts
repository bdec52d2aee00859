// The writer of request records on SQLite: one connection of its own (better-sqlite3, no Prisma on this
// path) under the one record queue (record-queue.ts: group commit, coalescing, retries, give-up). A batch
// is one IMMEDIATE transaction of upserts; the lock is never waited for (busy_timeout 0: SQLITE_BUSY is
// retried a few ms later by the queue). WAL checkpoints run on a worker thread (checkpointer.ts). A key's
// spend ledger (KeySpend) is kept by SQL triggers in the same transaction (migration
// 20261203000100_key_spend). Costs: bench/writer.mjs.
import fs from "node:fs";
import Database from "better-sqlite3";
import type { Step } from "../steps/types";
import { Checkpointer } from "./checkpointer";
import { GATHER_MS, type RecordEntry, RecordQueue } from "./record-queue";
import type { RequestRow } from "./store";

export type { RecordEntry, RecordOp } from "./record-queue";
export { BEGIN_WINDOW_MS, GATHER_MS, GIVE_UP_MS, MAX_QUEUE } from "./record-queue";

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
  "upstreamHost",
] as const;

// Positional parameters, bound from one reused array (named ones cost an object per row and a lookup per name).
const INSERT = `INSERT INTO "Request" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`;
const BEGIN_SQL = `${INSERT} ON CONFLICT ("id") DO NOTHING`;
const FINISH_SQL = `${INSERT} ON CONFLICT ("id") DO UPDATE SET ${COLUMNS.filter((c) => c !== "id" && c !== "createdAt")
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(", ")}`;
const CONTENT_SQL = `INSERT INTO "RequestContent" ("requestId", "prompt", "answer") VALUES (?, ?, ?)
  ON CONFLICT ("requestId") DO UPDATE SET "prompt" = excluded."prompt", "answer" = excluded."answer"`;

/** A request's steps (steps/): its final record replaces them (a retried batch writes them again). */
export const STEP_COLUMNS = [
  "requestId",
  "seq",
  "parentSeq",
  "kind",
  "tool",
  "callId",
  "summary",
  "outcome",
  "resultBytes",
  "startedAt",
  "durationMs",
  "model",
  "inputTokens",
  "outputTokens",
  "path",
] as const;
const STEPS_DELETE_SQL = `DELETE FROM "RequestStep" WHERE "requestId" = ?`;
const STEP_SQL = `INSERT INTO "RequestStep" (${STEP_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${STEP_COLUMNS.map(() => "?").join(", ")})`;

/** A step's cells in STEP_COLUMNS order (dates as Unix ms). */
export const stepCells = (requestId: string, s: Step): unknown[] => [
  requestId,
  s.seq,
  s.parentSeq,
  s.kind,
  s.tool,
  s.callId,
  s.summary,
  s.outcome,
  s.resultBytes,
  s.startedAt,
  s.durationMs,
  s.model,
  s.inputTokens,
  s.outputTokens,
  s.path,
];

/** Longest prompt or answer kept, in characters. */
const CONTENT_LIMIT = 200_000;
export const clip = (s: string) => (s.length > CONTENT_LIMIT ? `${s.slice(0, CONTENT_LIMIT)}…[truncated]` : s);

/** wal_autocheckpoint of the writer's connection while the checkpointer's worker runs (a fallback). */
const FALLBACK_CHECKPOINT_PAGES = 4_000;

const ENDPOINT = COLUMNS.indexOf("endpoint");
const cells: unknown[] = new Array(COLUMNS.length);
/** A row's parameters, in COLUMNS order, in one array reused for every row (bound before the next row). */
function params(row: RequestRow): unknown[] {
  const r = row as unknown as Record<string, unknown>;
  for (let i = 0; i < COLUMNS.length; i++) {
    const v = r[COLUMNS[i]!];
    cells[i] = v instanceof Date ? v.getTime() : typeof v === "boolean" ? (v ? 1 : 0) : (v ?? null);
  }
  cells[ENDPOINT] ??= "/v1/chat/completions";
  return cells;
}

const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: string })?.code ?? ""));

export class RecordWriter extends RecordQueue {
  /** WAL checkpoints run off this thread (0 while the writer's own connection does them). */
  get checkpoints(): number {
    return this.checkpointer?.checkpoints ?? 0;
  }
  private db: Database.Database | null = null;
  private write: ((entries: RecordEntry[]) => void) | null = null;
  private ino: number | null = null;
  private checkpointer: Checkpointer | null = null;
  private offThreadCheckpoints = false;

  constructor(
    readonly file: string,
    private readonly opts: { gatherMs?: number; checkpointer?: boolean } = {},
  ) {
    super(opts.gatherMs ?? GATHER_MS);
  }

  protected commit(entries: RecordEntry[]): void {
    this.open();
    this.write!(entries);
  }

  protected isBusy(e: unknown): boolean {
    return isBusy(e);
  }

  /** Rewrites the header's user_version with its own value (a real commit: a read-only, immutable or full file fails it). */
  protected probeWrite(): void {
    const db = this.open();
    const v = db.pragma("user_version", { simple: true }) as number;
    db.pragma(`user_version = ${Number(v) | 0}`);
  }

  protected dropConnection(): void {
    this.close();
  }

  protected afterCommit(): void {
    if (!this.offThreadCheckpoints) return;
    // the worker stopped: this connection checkpoints again at SQLite's default
    if (this.checkpointer?.running) this.checkpointer.wrote(this.lastCommitAt);
    else {
      this.offThreadCheckpoints = false;
      this.db?.pragma("wal_autocheckpoint = 1000");
    }
  }

  private open(): Database.Database {
    // A database file deleted (or replaced) under us: writing on to the old inode would lose every record.
    const st = fs.statSync(this.file, { throwIfNoEntry: false });
    if (!st) {
      this.close();
      throw new Error(`the database file ${this.file} is gone`);
    }
    if (this.db && st.ino !== this.ino) this.close();
    if (!this.db) {
      const db = new Database(this.file, { fileMustExist: true, timeout: 0 });
      try {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
        // A batch's statement journal (its upserts fire the rollup triggers) outgrows SQLite's 64 KiB
        // in-memory spill limit from a few rows on: kept in memory, no temporary file is created,
        // written and deleted per transaction (strace showed one in /var/tmp per commit or so).
        db.pragma("temp_store = MEMORY");
        if (this.opts.checkpointer !== false) this.checkpointer ??= new Checkpointer(this.file);
        this.offThreadCheckpoints = this.checkpointer?.running ?? false;
        if (this.offThreadCheckpoints) db.pragma(`wal_autocheckpoint = ${FALLBACK_CHECKPOINT_PAGES}`);
      } catch (e) {
        db.close();
        throw e;
      }
      this.db = db;
      this.ino = st.ino;
      const stmts = {
        begin: db.prepare(BEGIN_SQL),
        finish: db.prepare(FINISH_SQL),
        content: db.prepare(CONTENT_SQL),
        stepsDelete: db.prepare(STEPS_DELETE_SQL),
        step: db.prepare(STEP_SQL),
      };
      // A `running` record never overwrites one (DO NOTHING); a final one completes it (DO UPDATE).
      this.write = db.transaction((entries: RecordEntry[]) => {
        for (const { row, content: c, steps } of entries) {
          (row.status === "running" ? stmts.begin : stmts.finish).run(params(row));
          if (c) stmts.content.run(row.id, clip(c.prompt), clip(c.answer));
          if (steps?.length && row.status !== "running") {
            stmts.stepsDelete.run(row.id);
            for (const step of steps) stmts.step.run(stepCells(row.id, step));
          }
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
