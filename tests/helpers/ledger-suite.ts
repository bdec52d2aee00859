// The key spend ledger's behaviour, run on each database (src/server/access/spend.test.ts: SQLite,
// spend-pg.test.ts: PostgreSQL) by the real record writer, admission, key view and retention pass. The
// database was migrated as an existing one is: a history of keys and records from before the ledger,
// then the ledger's migration (tests/helpers/ledger.ts).
import { expect, it } from "vitest";
import type { RecordQueue } from "../../src/server/usage/record-queue";
import { keyedRow, logSpend, runningRow, type SeedKey } from "./ledger";

const H = 3_600_000;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();

export interface LedgerDb {
  /** Fixed "now" of the tests (the history ends there). */
  now: number;
  /** The history's keys, and a SQLite file holding the history's records (the reference). */
  keys: SeedKey[];
  historyFile: string;
  addKeys(keys: SeedKey[]): Promise<void>;
  /** A new record writer on the database. */
  writer(): RecordQueue;
  /** Runs one SQL statement (plain SQL, the same on both). */
  run(sql: string): Promise<void>;
  /** Statements that make every RequestContent insert fail while a row is in "FailNow" (a trigger). */
  failureTrigger: string[];
  markInterrupted(): Promise<number>;
}

const key = (id: string, createdAt: number, over: Partial<SeedKey> = {}): SeedKey => ({
  id,
  createdAt,
  budgetDuration: null,
  maxBudgetTokens: null,
  maxBudgetUsd: null,
  ...over,
});

export function ledgerSuite(db: () => LedgerDb): void {
  const server = async () => ({
    ...(await import("../../src/server/access/spend")),
    ...(await import("../../src/server/access/limits")),
    ...(await import("../../src/server/access/keys")),
    ...(await import("../../src/server/access/store")),
    ...(await import("../../src/server/retention")),
  });
  const mustKey = async (id: string) => (await (await server()).keyById(id))!;
  const lifetime = async (id: string) => {
    const k = await mustKey(id);
    return (await (await server()).spendWithLifetime(k, k.createdAt)).lifetime;
  };
  const finish = (
    w: RecordQueue,
    row: ReturnType<typeof keyedRow>,
    content = null as { prompt: string; answer: string } | null,
  ) => w.enqueue({ kind: "finish", id: row.id, row, content });
  const begin = (w: RecordQueue, row: ReturnType<typeof runningRow>) =>
    w.enqueue({ kind: "begin", id: row.id, snapshot: () => ({ row, content: null }) });

  it("the migration fills the ledger with the spend so far: per key, budget period and life, what the records say", async () => {
    const { keys, historyFile, now } = db();
    const S = await server();
    const decisions = new Set<boolean>();
    for (const k of keys) {
      const rec = await mustKey(k.id);
      const starts = [
        k.createdAt,
        ...Object.keys(S.DURATIONS).map((d) => S.budgetPeriod({ ...rec, budgetDuration: d }, now).start.getTime()),
      ];
      for (const since of starts) {
        const got = await S.spendSince(rec, new Date(since));
        const want = logSpend(historyFile, k.id, since);
        expect([k.id, iso(since), got.requests, got.tokens]).toEqual([k.id, iso(since), want.requests, want.tokens]);
        expect(got.costUsd).toBeCloseTo(want.costUsd, 9);
      }
      const period = S.budgetPeriod(rec, now).start.getTime();
      const view = (await S.keyView(rec, now)).usage;
      const [p, all] = [logSpend(historyFile, k.id, period), logSpend(historyFile, k.id, k.createdAt)];
      expect([view.requests, view.total_tokens, view.lifetime_requests, view.lifetime_total_tokens]).toEqual([
        p.requests,
        p.tokens,
        all.requests,
        all.tokens,
      ]);
      if (k.budgetDuration) expect(all.requests).toBeGreaterThan(p.requests); // spend before this period too
      // the budget decides as the records' sums did before the ledger
      const over =
        (rec.maxBudgetTokens !== null && p.tokens >= rec.maxBudgetTokens) ||
        (rec.maxBudgetUsd !== null && p.costUsd >= rec.maxBudgetUsd);
      const admitted = await S.admit(rec, now).then(
        () => true,
        (e) => (e.code === "insufficient_quota" ? false : Promise.reject(e)),
      );
      expect([k.id, admitted]).toEqual([k.id, !over]);
      decisions.add(admitted);
    }
    expect(decisions).toEqual(new Set([true, false])); // some keys over their budget, some not
    // records without a key, or of a key id in no ApiKey row, are in no ledger
    const { db: prisma } = await import("../../src/server/db");
    const ids = await (await prisma()).keySpend.findMany({
      distinct: ["keyId"],
      select: { keyId: true },
      orderBy: { keyId: "asc" },
    });
    expect(ids.map((r) => r.keyId)).toEqual(keys.map((k) => k.id).sort());
  });

  it("a record enters the ledger with its final write, once", async () => {
    const { now } = db();
    await db().addKeys([key("key_new", now - 2 * H - 5 * 60_000)]);
    const w = db().writer();
    const at = now - 30 * 60_000;
    await begin(w, runningRow("n1", "key_new", at));
    expect(await lifetime("key_new")).toEqual({ requests: 0, tokens: 0, costUsd: 0 });
    await finish(w, keyedRow("n1", "key_new", at));
    expect(await lifetime("key_new")).toEqual({ requests: 1, tokens: 42, costUsd: 0.25 });
    // the same end written again (a batch retried after its commit went through) and a late start: no change
    await finish(w, keyedRow("n1", "key_new", at));
    await begin(w, runningRow("n1", "key_new", at));
    expect(await lifetime("key_new")).toEqual({ requests: 1, tokens: 42, costUsd: 0.25 });
    // a request done within its start's batch is written once, final; a record without a key is in no ledger
    void begin(w, runningRow("n2", "key_new", at));
    await Promise.all([
      finish(w, keyedRow("n2", "key_new", at, { status: "error", totalTokens: 10, costUsd: null })),
      finish(w, keyedRow("n3", null, at)),
    ]);
    expect(await lifetime("key_new")).toEqual({ requests: 2, tokens: 52, costUsd: 0.25 });
    // a request whose gateway died: a request (no tokens) once start-up marks it interrupted
    await begin(w, runningRow("n4", "key_new", at));
    expect(await db().markInterrupted()).toBeGreaterThan(0);
    expect(await lifetime("key_new")).toEqual({ requests: 3, tokens: 52, costUsd: 0.25 });
    // a final record corrected by hand: the ledger follows
    await db().run(`UPDATE "Request" SET "totalTokens" = "totalTokens" + 8 WHERE "id" = 'n1'`);
    expect(await lifetime("key_new")).toEqual({ requests: 3, tokens: 60, costUsd: 0.25 });
  });

  it("a batch that failed after writing its ledger rows is rolled back whole, and counts once when retried", async () => {
    const { now } = db();
    await db().addKeys([key("key_retry", now - 3 * H)]);
    for (const sql of db().failureTrigger) await db().run(sql);
    await db().run(`INSERT INTO "FailNow" VALUES (1)`);
    const w = db().writer();
    // r2's content fails the transaction after both records, and their ledger rows, were written
    const saved = Promise.all([
      finish(w, keyedRow("r1", "key_retry", now - H)),
      finish(w, keyedRow("r2", "key_retry", now - H), { prompt: "p", answer: "a" }),
    ]);
    await expect.poll(() => w.error, { timeout: 10_000 }).toMatch(/injected failure/);
    expect(await lifetime("key_retry")).toEqual({ requests: 0, tokens: 0, costUsd: 0 });
    expect(w.failedWrites).toBe(2);
    await db().run(`DELETE FROM "FailNow"`);
    expect(await saved).toEqual([true, true]);
    expect(await lifetime("key_retry")).toEqual({ requests: 2, tokens: 84, costUsd: 0.5 });
    expect([w.failedWrites, w.lost, w.error]).toEqual([2, 0, null]);
  });

  it("a budget period counts from its first millisecond in whole hours of the key's life, whatever budget_duration becomes", async () => {
    const { now } = db();
    const created = now - 30 * H - 17 * 60_000 - 123;
    await db().addKeys([key("key_edge", created, { budgetDuration: "1d", maxBudgetTokens: 100 })]);
    const w = db().writer();
    const row = (id: string, at: number, tokens: number) =>
      keyedRow(id, "key_edge", at, { totalTokens: tokens, costUsd: null });
    await Promise.all([
      finish(w, row("e0", created + 24 * H - 1, 1)), // the first day's last millisecond
      finish(w, row("e1", created + 24 * H, 10)), // the second day's first
      finish(w, row("e2", created + 30 * H - 1, 100)), // hour 29's last
      finish(w, row("e3", created + 30 * H, 1_000)), // hour 30's first
    ]);
    const S = await server();
    let k = await mustKey("key_edge");
    expect((await S.keyView(k, now)).usage).toMatchObject({
      period_start: iso(created + 24 * H),
      requests: 3,
      total_tokens: 1_110,
      lifetime_requests: 4,
      lifetime_total_tokens: 1_111,
    });
    await expect(S.admit(k, now)).rejects.toMatchObject({ status: 429, code: "insufficient_quota" });
    // the admin makes the periods an hour long: the ledger's hours still fit them exactly
    await db().run(`UPDATE "ApiKey" SET "budgetDuration" = '1h', "maxBudgetTokens" = 1001 WHERE "id" = 'key_edge'`);
    k = await mustKey("key_edge");
    expect((await S.keyView(k, now)).usage).toMatchObject({
      period_start: iso(created + 30 * H),
      requests: 1,
      total_tokens: 1_000,
      lifetime_total_tokens: 1_111,
    });
    expect(await S.admit(k, now)).toBeInstanceOf(Headers);
  });

  it("retention (RETENTION_DAYS, STORE_CONTENT_DAYS) changes no key's budget or key-view spend", async () => {
    const { now, keys } = db();
    await db().addKeys([key("key_old", now - 20 * D, { budgetDuration: "30d", maxBudgetTokens: 100 })]);
    const w = db().writer();
    // backdated records, 126 tokens: over the budget
    await Promise.all(
      [10, 5, 2].map((days, i) =>
        finish(w, keyedRow(`old${i}`, "key_old", now - days * D), { prompt: "p", answer: "a" }),
      ),
    );
    const S = await server();
    const all = [...keys.map((k) => k.id), "key_new", "key_retry", "key_edge", "key_old"];
    const views = async () => Promise.all(all.map(async (id) => (await S.keyView(await mustKey(id), now)).usage));
    const before = await views();
    expect(before.at(-1)).toMatchObject({ requests: 3, total_tokens: 126, lifetime_requests: 3 });
    await expect(S.admit(await mustKey("key_old"), now)).rejects.toMatchObject({ code: "insufficient_quota" });
    const pruned = await S.pruneOnce(now, { retention: 1, content: 1 });
    expect(pruned.requests).toBeGreaterThan(1_000); // the history, and key_old's records
    const { db: prisma } = await import("../../src/server/db");
    expect(await (await prisma()).request.count({ where: { keyId: "key_old" } })).toBe(0);
    expect(await views()).toEqual(before);
    await expect(S.admit(await mustKey("key_old"), now)).rejects.toMatchObject({ code: "insufficient_quota" });
  });
}
