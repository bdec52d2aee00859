// The writer of request records on PostgreSQL (DATABASE_URL): a small pg pool of its own under the one
// record queue (record-queue.ts: group commit, coalescing, retries, give-up; while a batch is being
// written the next one gathers). A batch is one transaction with one multi-row statement, so the rollup
// and key-spend triggers (statement-level) take each hot row once per batch, in key order; a deadlock or
// serialization failure between instances is retried like a busy SQLite. Dates go as Unix ms and become
// timestamp(3) UTC in SQL.
import type { Pool } from "pg";
import { type RecordEntry, RecordQueue } from "./record-queue";
import { COLUMNS, clip, STEP_COLUMNS, stepCells } from "./writer";

/** Rows per statement (27 parameters each, PostgreSQL takes 65,535). */
const CHUNK = 1_000;
const UPDATES = COLUMNS.filter((c) => c !== "id" && c !== "createdAt")
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(", ");

type Row = Record<string, unknown>;

/** A request's record: one INSERT for all of a batch; a `running` record never overwrites an existing one. */
function recordStatement(entries: RecordEntry[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = entries.map(({ row }) => {
    const cells = COLUMNS.map((c) => {
      let v = (row as unknown as Row)[c] ?? null;
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

export class PgRecordWriter extends RecordQueue {
  private pool: Promise<Pool> | null = null;

  constructor(readonly url: string) {
    // no gather window: the batch being written is the wait (PostgreSQL writes are asynchronous)
    super(0);
  }

  protected isBusy(e: unknown): boolean {
    return ["40P01", "40001"].includes(String((e as { code?: string })?.code ?? ""));
  }

  /** A `SELECT 1` round trip (its outcome shows in `error` at the next probe). */
  protected async probeWrite(): Promise<void> {
    await (await this.connect()).query("SELECT 1");
  }

  private connect(): Promise<Pool> {
    this.pool ??= import("pg").then(({ default: pg }) => {
      const pool = new pg.Pool({ connectionString: this.url, max: 2, application_name: "cc-bridge records" });
      pool.on("error", () => {}); // an idle client's error: the next write reports it
      return pool;
    });
    return this.pool;
  }

  protected async commit(entries: RecordEntry[]): Promise<void> {
    const client = await (await this.connect()).connect();
    try {
      await client.query("BEGIN");
      for (let i = 0; i < entries.length; i += CHUNK) {
        const { text, values } = recordStatement(entries.slice(i, i + CHUNK));
        await client.query(text, values);
      }
      const contents = entries.filter((r) => r.content);
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
      const withSteps = entries.filter((r) => r.steps?.length && r.row.status !== "running");
      if (withSteps.length > 0) {
        await client.query(`DELETE FROM "RequestStep" WHERE "requestId" = ANY($1::text[])`, [
          withSteps.map((r) => r.row.id),
        ]);
        // One unnest per column: any number of steps in one statement (no bound-parameter limit).
        const rows = withSteps.flatMap((r) => r.steps!.map((s) => stepCells(r.row.id, s)));
        const column = (i: number) => rows.map((cells) => cells[i] ?? null);
        await client.query(
          `INSERT INTO "RequestStep" (${STEP_COLUMNS.map((c) => `"${c}"`).join(", ")})
           SELECT "requestId", "seq", "parentSeq", "kind", "tool", "callId", "summary", "outcome", "resultBytes",
             TIMESTAMP 'epoch' + "startedAt" * INTERVAL '1 millisecond', "durationMs", "model", "inputTokens", "outputTokens", "path"
           FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
             $9::int[], $10::float8[], $11::int[], $12::text[], $13::int[], $14::int[], $15::text[])
             AS t(${STEP_COLUMNS.map((c) => `"${c}"`).join(", ")})`,
          STEP_COLUMNS.map((_, i) => column(i)),
        );
      }
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
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
