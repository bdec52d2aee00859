// The writer of request records: one SQLite connection of its own (better-sqlite3, no Prisma on this
// path), group commit (every op queued during one turn of the event loop goes into one transaction;
// under load, when the last commit was less than GATHER_MS ago, a batch gathers for GATHER_MS so that
// each commit carries more rows), never blocking on a lock held elsewhere (busy_timeout 0, retried a
// few ms later), and retried with back-off while the database fails, so records survive a database
// that comes back. WAL checkpoints run on a worker thread (checkpointer.ts). Costs: bench/writer.mjs.
import fs from "node:fs";
import Database from "better-sqlite3";
import { Checkpointer } from "./checkpointer";
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

/** Longest prompt or answer kept, in characters. */
const CONTENT_LIMIT = 200_000;
export const clip = (s: string) => (s.length > CONTENT_LIMIT ? `${s.slice(0, CONTENT_LIMIT)}…[truncated]` : s);

/** A queued record is given up after this long (logged by the recorder), or when the queue is this long. */
export const GIVE_UP_MS = 10 * 60_000;
/** How long a request's start waits to be written with others (group commit). */
export const BEGIN_WINDOW_MS = 5;
/** Under load (a commit less than this ago), an end waits for company until this long after that commit. */
export const GATHER_MS = 2;
/** A turn of the event loop shorter than this (ms) had nothing else to do: a gathering batch is committed. */
const IDLE_TURN_MS = 0.05;
export const MAX_QUEUE = 20_000;
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
const reason = (e: unknown) =>
  String((e as Error)?.message ?? e)
    .split("\n")[0]!
    .slice(0, 200);

export class RecordWriter {
  failedWrites = 0;
  lost = 0;
  /** Transactions committed. */
  commits = 0;
  /** Why the last write failed, while writes fail. */
  error: string | null = null;
  /** WAL checkpoints run off this thread (0 while the writer's own connection does them). */
  get checkpoints(): number {
    return this.checkpointer?.checkpoints ?? 0;
  }
  private db: Database.Database | null = null;
  private write: ((batch: Queued[], finishing: Set<string>) => void) | null = null;
  private ino: number | null = null;
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private immediate = false;
  private gathering = false;
  private backoff = 0;
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  private checkpointer: Checkpointer | null = null;
  private offThreadCheckpoints = false;

  constructor(
    readonly file: string,
    private readonly opts: { gatherMs?: number; checkpointer?: boolean } = {},
  ) {}

  enqueue(op: RecordOp): Promise<boolean> {
    return new Promise((done) => {
      this.queue.push({ op, queuedAt: Date.now(), failed: false, done });
      if (this.queue.length > MAX_QUEUE) this.giveUp(this.queue.shift()!);
      // A start waits a few ms for company (and for its own end: a request done by then is written
      // once, final); an end is written at the next turn of the event loop, as its caller waits, or,
      // when the last commit was less than GATHER_MS ago (load), with the ends of the next turns (see
      // gather). An idle writer commits at once.
      if (op.kind === "begin") this.schedule(BEGIN_WINDOW_MS, false);
      else if (performance.now() - this.lastCommitAt < this.gatherMs) this.gather();
      else this.schedule(0, true);
    });
  }

  private get gatherMs(): number {
    return this.opts.gatherMs ?? GATHER_MS;
  }

  /**
   * Commits the queue once GATHER_MS have passed since the last commit, or as soon as a turn of the
   * event loop did (almost) nothing else: it never leaves the thread idle, and adds no timer delay.
   * The first turn is always let by (it is the one the end was queued in).
   */
  private gather() {
    if (this.gathering || this.immediate) return;
    this.gathering = true;
    let last = Number.NEGATIVE_INFINITY;
    const tick = () => {
      const now = performance.now();
      if (this.queue.length > 0 && now - this.lastCommitAt < this.gatherMs && now - last >= IDLE_TURN_MS) {
        last = now;
        setImmediate(tick);
        return;
      }
      this.gathering = false;
      this.flush();
    };
    setImmediate(tick);
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

  /** Flushes at the next turn of the event loop (delay 0) or after `delay` ms, unless one is due sooner. */
  private schedule(delay: number, keepAlive: boolean) {
    if (delay <= 0) {
      if (this.immediate) return;
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        this.flush();
      });
      return;
    }
    const at = performance.now() + delay;
    if (this.timer) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.flush();
    }, delay);
    // A start's window and a retry's back-off do not keep the process alive; an end someone waits for does.
    if (!keepAlive) this.timer.unref?.();
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
    const finishing = new Set<string>();
    for (const q of batch) if (q.op.kind === "finish") finishing.add(q.op.id);
    try {
      const db = this.open();
      this.write!(batch, finishing);
      this.commits++;
      this.lastCommitAt = performance.now();
      this.error = null;
      this.backoff = 0;
      for (const q of batch) q.done(true);
      if (this.offThreadCheckpoints) {
        // the worker stopped: this connection checkpoints again at SQLite's default
        if (this.checkpointer?.running) this.checkpointer.wrote(this.lastCommitAt);
        else {
          this.offThreadCheckpoints = false;
          db.pragma("wal_autocheckpoint = 1000");
        }
      }
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
      this.schedule(this.backoff, false);
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
