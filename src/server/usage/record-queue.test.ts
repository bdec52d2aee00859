// The one record queue (record-queue.ts) over a database that fails on cue: what writer.ts (SQLite) and
// pg-writer.ts (PostgreSQL) share — one record per request per batch, busy retried without counting a
// failure, failures counted once per record and retried until they work, one batch at a time on an
// asynchronous database. The databases themselves: writer.test.ts, pg-writer.test.ts.
import { describe, expect, it } from "vitest";
import { type RecordEntry, RecordQueue } from "./record-queue";
import type { RequestRow } from "./store";

const row = (id: string, status: RequestRow["status"], totalTokens = 0) => ({ id, status, totalTokens }) as RequestRow;

/** A table in memory: each commit applies its batch or throws what `fail` says (once per call). */
class MemoryQueue extends RecordQueue {
  rows = new Map<string, RequestRow>();
  batches: string[][] = [];
  fail: Array<Error & { code?: string }> = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly async: boolean) {
    super(0);
  }

  protected commit(entries: RecordEntry[]): void | Promise<void> {
    const apply = () => {
      const e = this.fail.shift();
      if (e) throw e;
      this.batches.push(entries.map((x) => `${x.row.id}:${x.row.status}`));
      for (const { row: r } of entries) if (r.status !== "running" || !this.rows.has(r.id)) this.rows.set(r.id, r);
    };
    if (!this.async) return apply();
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    return new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        this.inFlight--;
        try {
          apply();
          resolve();
        } catch (e) {
          reject(e);
        }
      }, 10),
    );
  }

  protected isBusy(e: unknown): boolean {
    return (e as { code?: string }).code === "BUSY";
  }

  protected probeWrite(): void {}
}

const busy = () => Object.assign(new Error("locked"), { code: "BUSY" });

describe("the record queue", () => {
  it("writes one record per request per batch: its last end, else its start (snapshot not taken)", async () => {
    const q = new MemoryQueue(false);
    let snapshots = 0;
    const snap = (id: string) => () => {
      snapshots++;
      return { row: row(id, "running"), content: null };
    };
    q.enqueue({ kind: "begin", id: "a", snapshot: snap("a") });
    q.enqueue({ kind: "begin", id: "b", snapshot: snap("b") });
    q.enqueue({ kind: "finish", id: "a", row: row("a", "error", 1), content: null });
    const last = q.enqueue({ kind: "finish", id: "a", row: row("a", "ok", 2), content: null });
    expect(await last).toBe(true);
    expect(q.batches).toEqual([["b:running", "a:ok"]]);
    expect(snapshots).toBe(1);
    expect([q.commits, q.pending, q.failedWrites]).toEqual([1, 0, 0]);
  });

  it("retries a busy database in a few ms without counting a failure; a failing one counts each record once", async () => {
    const q = new MemoryQueue(false);
    q.fail.push(busy(), busy());
    expect(await q.enqueue({ kind: "finish", id: "a", row: row("a", "ok"), content: null })).toBe(true);
    expect([q.failedWrites, q.error, q.commits]).toEqual([0, null, 1]);
    q.fail.push(new Error("disk I/O error"), new Error("disk I/O error"), new Error("disk I/O error"));
    const saved = q.enqueue({ kind: "finish", id: "b", row: row("b", "ok"), content: null });
    await expect.poll(() => q.error).toBe("disk I/O error");
    expect(q.probe()).toBe("disk I/O error"); // records still waiting: the probe's success does not clear it
    expect(await saved).toBe(true);
    expect([q.failedWrites, q.lost, q.error, q.probe()]).toEqual([1, 0, null, null]);
    expect(q.batches).toEqual([["a:ok"], ["b:ok"]]);
  });

  it("on an asynchronous database writes one batch at a time; what comes meanwhile is the next batch", async () => {
    const q = new MemoryQueue(true);
    const first = q.enqueue({ kind: "finish", id: "a", row: row("a", "ok"), content: null });
    await new Promise((r) => setTimeout(r, 2));
    const more = ["b", "c", "d"].map((id) => q.enqueue({ kind: "finish", id, row: row(id, "ok"), content: null }));
    expect(await Promise.all([first, ...more])).toEqual([true, true, true, true]);
    expect(q.batches).toEqual([["a:ok"], ["b:ok", "c:ok", "d:ok"]]);
    expect(q.maxInFlight).toBe(1);
    // a failed batch is retried whole, after the back-off
    q.fail.push(new Error("connection refused"));
    expect(await q.enqueue({ kind: "finish", id: "e", row: row("e", "ok"), content: null })).toBe(true);
    expect([q.failedWrites, q.commits, q.batches.at(-1)]).toEqual([1, 3, ["e:ok"]]);
  });
});
