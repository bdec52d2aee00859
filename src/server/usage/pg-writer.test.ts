// The PostgreSQL record writer: group commit of starts and ends, a start never overwriting an end,
// retries while the database fails (here: not created yet) until it takes the records, and start-up's
// `interrupted` marking that leaves younger `running` records (another instance's) alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePg, type PgCluster, startPostgres } from "../../../tests/helpers/postgres";
import { stepsOfRun } from "../../../tests/helpers/steps";
import { markInterruptedPg, PgRecordWriter } from "./pg-writer";
import type { RequestRow } from "./store";

let cluster: PgCluster;
let url: string;

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase("records");
  await migratePg(url);
});
afterAll(() => cluster?.stop());

const row = (id: string, status: RequestRow["status"], at = new Date()): RequestRow =>
  ({
    id,
    createdAt: at,
    model: "qwen3:8b",
    provider: "ollama",
    upstreamModel: null,
    stream: false,
    sessionId: null,
    status,
    httpStatus: 200,
    errorType: null,
    errorCode: null,
    errorMessage: null,
    finishReason: status === "ok" ? "stop" : null,
    promptTokens: 3,
    completionTokens: 2,
    totalTokens: 5,
    cachedTokens: 0,
    costUsd: null,
    durationMs: 10,
    ttftMs: null,
    userAgent: null,
    clientAddress: null,
  }) as RequestRow;

const records = (db: string) =>
  cluster.query<{ id: string; status: string; n: string }>(db, `SELECT id, status FROM "Request" ORDER BY id`);

describe("PgRecordWriter", () => {
  it("writes starts and ends in batches; a start never overwrites an end; contents go along", async () => {
    const w = new PgRecordWriter(url);
    const started = w.enqueue({
      kind: "begin",
      id: "a",
      snapshot: () => ({ row: row("a", "running"), content: null }),
    });
    await started;
    expect(await records("records")).toEqual([{ id: "a", status: "running" }]);
    const ends = await Promise.all([
      w.enqueue({ kind: "finish", id: "a", row: row("a", "ok"), content: { prompt: "p", answer: "x" } }),
      w.enqueue({ kind: "finish", id: "b", row: row("b", "error"), content: null }),
    ]);
    expect(ends).toEqual([true, true]);
    // a late start of a finished request changes nothing
    await w.enqueue({ kind: "begin", id: "a", snapshot: () => ({ row: row("a", "running"), content: null }) });
    expect(await records("records")).toEqual([
      { id: "a", status: "ok" },
      { id: "b", status: "error" },
    ]);
    expect(await cluster.query("records", `SELECT "answer" FROM "RequestContent"`)).toEqual([{ answer: "x" }]);
    const [u] = await cluster.query<{ n: string }>("records", `SELECT SUM("requests") AS n FROM "UsageHourly"`);
    expect(Number(u!.n)).toBe(2);
    expect(w.error).toBeNull();
  });

  it("writes a run's steps with its final record (500 tool calls all kept), once even when written again", async () => {
    const w = new PgRecordWriter(url);
    const steps = stepsOfRun(500);
    const finish = () => w.enqueue({ kind: "finish", id: "s", row: row("s", "ok"), content: null, steps });
    expect(await finish()).toBe(true);
    expect(await finish()).toBe(true);
    const rows = await cluster.query<{ n: string; tools: string; errors: string; first: Date }>(
      "records",
      `SELECT COUNT(*) AS n, COUNT("tool") AS tools, SUM(CASE WHEN "outcome" = 'error' THEN 1 ELSE 0 END) AS errors,
        MIN("startedAt") AS first FROM "RequestStep" WHERE "requestId" = 's'`,
    );
    expect(rows[0]).toMatchObject({
      n: "1000",
      tools: "500",
      errors: String(steps.filter((s) => s.outcome === "error").length),
    });
    expect(new Date(rows[0]!.first).getTime()).toBe(steps[0]!.startedAt);
    const [write] = await cluster.query(
      "records",
      `SELECT "tool", "summary", "path", "resultBytes" FROM "RequestStep" WHERE "requestId" = 's' AND "seq" = 2`,
    );
    expect(write).toEqual({ tool: "Write", summary: "f0.txt", path: "/w/f0.txt", resultBytes: 10 });
  });

  it("keeps records while the database fails, reports why, and writes them once it works", async () => {
    const w = new PgRecordWriter(cluster.url("later"));
    const done = w.enqueue({ kind: "finish", id: "c", row: row("c", "ok"), content: null });
    await expect.poll(() => w.error, { timeout: 10_000 }).toMatch(/database "later" does not exist/);
    expect(w.pending).toBe(1);
    expect(w.failedWrites).toBe(1);
    await migratePg(await cluster.createDatabase("later"));
    expect(await done).toBe(true);
    expect(await records("later")).toEqual([{ id: "c", status: "ok" }]);
    expect(w.error).toBeNull();
  });

  it("start-up marks only running records older than any request can last", async () => {
    const w = new PgRecordWriter(url);
    const old = new Date(Date.now() - 3 * 3_600_000);
    await w.enqueue({ kind: "begin", id: "old", snapshot: () => ({ row: row("old", "running", old), content: null }) });
    await w.enqueue({ kind: "begin", id: "young", snapshot: () => ({ row: row("young", "running"), content: null }) });
    expect(await markInterruptedPg(url, 3_600_000)).toBe(1);
    const rows = await cluster.query(
      "records",
      `SELECT id, status FROM "Request" WHERE id IN ('old', 'young') ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: "old", status: "interrupted" },
      { id: "young", status: "running" },
    ]);
  });
});
