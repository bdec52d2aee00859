// The writer of request records on PostgreSQL (DATABASE_URL): the same queue, group commit, retries
// and give-up rules as writer.ts (SQLite), on a small pg pool of its own. A batch is one transaction
// with one multi-row statement, so the rollup triggers (statement-level) take each hot rollup row once
// per batch, in key order; a deadlock or serialization failure between instances is retried like a
// busy SQLite. Dates go as Unix ms and become timestamp(3) UTC in SQL.
import type { Pool } from "pg";
import type { RecordOp } from "./writer";
import { BEGIN_WINDOW_MS, COLUMNS, clip, GIVE_UP_MS, MAX_QUEUE } from "./writer";

interface Queued {
  op: RecordOp;
  queuedAt: number;
  failed: boolean;
  done: (ok: boolean) => void;
}

/** Rows per statement (27 parameters each, PostgreSQL takes 65,535). */
const CHUNK = 1_000;
const UPDATES = COLUMNS.filter((c) => c !== "id" && c !== "createdAt")
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(", ");

const isRetryable = (e: unknown) => ["40P01", "40001"].includes(String((e as { code?: string })?.code ?? ""));
const reason = (e: unknown) =>
  String((e as Error)?.message ?? e)
    .split("\n")[0]!
    .slice(0, 200);

type Row = Record<string, unknown>;

/** A request's record: one INSERT for all of a batch; a `running` record never overwrites an existing one. */
function recordStatement(rows: Row[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const cells = COLUMNS.map((c) => {
      let v = row[c] ?? null;
      if (c === "endpoint") v ??= "/v1/chat/completions";
      if (v instanceof Date) v = v.getTime();
      values.push(v);
      return c === "createdAt"
        ? `(TIMESTAMP 'epoch' + $${values.length}::float8 * INTERVAL '1 millisecond')`
        : `$${values.length}`;
    });
    return `(${cells.join(", ")})`;
  });
  return {
    text: `INSERT INTO "Request" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}
      ON CONFLICT ("id") DO UPDATE SET ${UPDATES} WHERE excluded."status" <> 'running'`,
    values,
  };
}

export class PgRecordWriter {
  failedWrites = 0;
  lost = 0;
  /** Why the last write failed, while writes fail. */
  error: string | null = null;
  private pool: Promise<Pool> | null = null;
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing = false;
  private backoff = 0;

  constructor(readonly url: string) {}

  enqueue(op: RecordOp): Promise<boolean> {
    return new Promise((done) => {
      this.queue.push({ op, queuedAt: Date.now(), failed: false, done });
      if (this.queue.length > MAX_QUEUE) this.giveUp(this.queue.shift()!);
      this.schedule(op.kind === "begin" ? BEGIN_WINDOW_MS : 0);
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** The last write's outcome (null: fine), and a `SELECT 1` in the background for the next call. */
  probe(): string | null {
    void this.connect()
      .then((p) => p.query("SELECT 1"))
      .then(() => {
        if (this.queue.length === 0) this.error = null;
      })
      .catch((e) => {
        this.error = reason(e);
      });
    return this.error;
  }

  /** Starts writing everything queued now (PostgreSQL writes are asynchronous). */
  flushNow(): void {
    void this.flush();
  }

  private connect(): Promise<Pool> {
    this.pool ??= import("pg").then(({ default: pg }) => {
      const pool = new pg.Pool({ connectionString: this.url, max: 2, application_name: "cc-bridge records" });
      pool.on("error", () => {}); // an idle client's error: the next write reports it
      return pool;
    });
    return this.pool;
  }

  private schedule(delay = 0) {
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
    this.timer.unref?.();
  }

  private giveUp(q: Queued) {
    this.lost++;
    if (!q.failed) this.failedWrites++;
    q.done(false);
  }

  private async flush() {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue;
    this.queue = [];
    const finishing = new Set(batch.filter((q) => q.op.kind === "finish").map((q) => q.op.id));
    let retryIn = 0;
    try {
      // One row per id (the last op wins; a start whose end is in the batch is not written).
      const rows = new Map<string, { row: Row; content: { prompt: string; answer: string } | null }>();
      for (const { op } of batch) {
        if (op.kind === "begin" && finishing.has(op.id)) continue;
        const { row, content } = op.kind === "begin" ? op.snapshot() : op;
        rows.set(row.id, { row: row as unknown as Row, content });
      }
      const all = [...rows.values()];
      const client = await (await this.connect()).connect();
      try {
        await client.query("BEGIN");
        for (let i = 0; i < all.length; i += CHUNK) {
          const { text, values } = recordStatement(all.slice(i, i + CHUNK).map((r) => r.row));
          await client.query(text, values);
        }
        const contents = all.filter((r) => r.content);
        if (contents.length > 0) {
          await client.query(
            `INSERT INTO "RequestContent" ("requestId", "prompt", "answer")
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
             ON CONFLICT ("requestId") DO UPDATE SET "prompt" = excluded."prompt", "answer" = excluded."answer"`,
            [
              contents.map((r) => r.row.id),
              contents.map((r) => clip(r.content!.prompt)),
              contents.map((r) => clip(r.content!.answer)),
            ],
          );
        }
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
      this.error = null;
      this.backoff = 0;
      for (const q of batch) q.done(true);
    } catch (e) {
      if (!isRetryable(e)) {
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
      this.backoff = isRetryable(e) ? 5 : Math.min(1_000, Math.max(50, this.backoff * 2));
      retryIn = this.backoff;
    } finally {
      this.writing = false;
    }
    if (retryIn > 0) this.schedule(retryIn);
    else if (this.queue.length > 0) this.schedule(0);
  }
}

/**
 * On start-up, on a shared PostgreSQL: only requests `running` for longer than any request can run
 * (`olderThanMs`) become `interrupted`; younger ones may belong to a live instance. Returns how many.
 */
export async function markInterruptedPg(url: string, olderThanMs: number): Promise<number> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query(
      `UPDATE "Request" SET "status" = 'interrupted', "errorType" = 'interrupted', "errorCode" = 'gateway_stopped',
        "errorMessage" = 'The gateway stopped before this request ended.'
       WHERE "status" = 'running' AND "createdAt" < (TIMESTAMP 'epoch' + $1::float8 * INTERVAL '1 millisecond')`,
      [Date.now() - olderThanMs],
    );
    return res.rowCount ?? 0;
  } finally {
    await client.end();
  }
}
