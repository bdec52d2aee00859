// Rollup sums past 2^31 on PostgreSQL: an hour of one model whose summed durationMs and tokens exceed a
// 32-bit integer (300,000 Claude requests of 10 s in an hour are 3e9 ms) must still be recorded — with
// 32-bit rollup columns every insert into "Request" failed with "integer out of range" — and the console's
// and the keys' readers must return those sums exactly, as JS numbers, the same as on SQLite. A session's
// running token totals are 64-bit as well.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRequestsToPg, migratePg, type PgCluster, startPostgres } from "../../../tests/helpers/postgres";
import { freshDb, insertRequests, query, type SeedRow } from "../../../tests/helpers/seed";

const H = 3_600_000;
const HOUR0 = Date.UTC(2026, 0, 10, 10);
const NOW = HOUR0 + 5 * H;
const BIG = 8_000_000; // per request: 300 of them sum to 2.4e9 > 2^31 - 1
const N = 300;
const INT_MAX = 2 ** 31 - 1;
const MODEL = "claude-code";

let cluster: PgCluster;
let url: string;
let file: string;

/** N requests in hour `h` after HOUR0 whose durations, ttfts and tokens each sum past 2^31. */
function bigHour(h: number, prefix: string): SeedRow[] {
  return Array.from({ length: N }, (_, i) => ({
    id: `${prefix}-${i}`,
    at: HOUR0 + h * H + i * 1000,
    model: MODEL,
    provider: "claude-code",
    status: i % 10 === 0 ? "error" : "ok",
    promptTokens: BIG,
    completionTokens: BIG / 2,
    cachedTokens: BIG,
    costUsd: 0.5,
    durationMs: BIG,
    ttftMs: BIG / 2,
  }));
}

async function pgClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase("bigsums");
  await migratePg(url);
  file = freshDb("pg-bigsums");
  process.env.DATABASE_URL = url;
  // the key of the big records (their spend goes into its ledger, KeySpend, as they are written)
  await cluster.query(
    "bigsums",
    `INSERT INTO "ApiKey" ("id", "name", "hash", "prefix", "createdAt", "updatedAt") VALUES ('key-big', 'big', 'h', 'ccb-big', $1, $1)`,
    [new Date(HOUR0 - H).toISOString().replace("Z", "")],
  );
});

afterAll(async () => {
  const { db } = await import("../db");
  await (await db()).$disconnect();
  cluster?.stop();
});

describe("PostgreSQL rollups past 2^31", () => {
  it("one multi-row insert whose hour sums pass 2^31 is recorded (statement-level trigger)", async () => {
    const rows = bigHour(0, "batch");
    insertRequests(file, rows);
    expect(await copyRequestsToPg(file, url)).toBe(N);
    const [u] = await cluster.query<Record<string, string>>(
      "bigsums",
      `SELECT "requests", "durationMs", "latencyMs", "ttftMs", "promptTokens", "totalTokens", "cachedTokens"
       FROM "UsageHourly" WHERE "hour" = $1`,
      [new Date(HOUR0).toISOString().replace("Z", "")],
    );
    expect(Object.values(u!).map(Number)).toEqual([
      N,
      N * BIG,
      N * BIG,
      (N * BIG) / 2,
      N * BIG,
      N * 1.5 * BIG,
      N * BIG,
    ]);
    expect(N * BIG).toBeGreaterThan(INT_MAX);
  });

  it("one record per statement (the rollup row's running sum passes 2^31) is recorded too", async () => {
    const rows = bigHour(1, "single");
    insertRequests(file, rows);
    await pgClient(async (c) => {
      for (const r of rows) {
        await c.query(
          `INSERT INTO "Request" ("id", "createdAt", "model", "provider", "status", "httpStatus", "promptTokens",
            "completionTokens", "totalTokens", "cachedTokens", "costUsd", "durationMs", "ttftMs", "keyId")
           VALUES ($1, $2, $3, $4, $5, 200, $6, $7, $8, $9, $10, $11, $12, 'key-big')`,
          [
            r.id,
            new Date(r.at).toISOString().replace("Z", ""),
            r.model,
            r.provider,
            r.status,
            r.promptTokens,
            r.completionTokens,
            r.promptTokens! + r.completionTokens!,
            r.cachedTokens,
            r.costUsd,
            r.durationMs,
            r.ttftMs,
          ],
        );
      }
    });
    const [u] = await cluster.query<{ d: string; r: string }>(
      "bigsums",
      `SELECT "durationMs" AS d, "requests" AS r FROM "UsageHourly" WHERE "hour" = $1`,
      [new Date(HOUR0 + H).toISOString().replace("Z", "")],
    );
    expect([Number(u!.r), Number(u!.d)]).toEqual([N, N * BIG]);
  });

  it("the rollup columns and a session's token totals are 64-bit", async () => {
    const cols = await cluster.query<{ t: string; c: string; type: string }>(
      "bigsums",
      `SELECT table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns
       WHERE table_name IN ('UsageHourly', 'LatencyHistogram', 'Session') AND data_type = 'integer' ORDER BY 1, 2`,
    );
    // Only the histogram's key columns stay 32-bit; every sum and count is bigint.
    expect(cols.map((c) => `${c.t}.${c.c}`)).toEqual([
      "LatencyHistogram.bin",
      "LatencyHistogram.kind",
      "LatencyHistogram.span",
      "Session.turnCount",
    ]);
  });

  it("the console's queries return the big sums as JS numbers, equal to SQLite's", async () => {
    const S = await import("./summary");
    const A = await import("./analytics");
    const range = { since: new Date(HOUR0 - H), until: new Date(NOW) };
    const sqlite = query<Record<string, number>>(
      file,
      `SELECT COUNT(*) AS requests, SUM(status = 'error') AS errors, SUM(promptTokens) AS prompt_tokens,
        SUM(completionTokens) AS completion_tokens, SUM(totalTokens) AS total_tokens, SUM(cachedTokens) AS cached_tokens,
        AVG(durationMs) AS avg FROM Request`,
    )[0]!;
    const [row, ...rest] = await S.usageByModel(range);
    expect(rest).toEqual([]);
    expect(row).toEqual({
      model: MODEL,
      provider: "claude-code",
      requests: 2 * N,
      errors: sqlite.errors,
      cancelled: 0,
      prompt_tokens: sqlite.prompt_tokens,
      completion_tokens: sqlite.completion_tokens,
      total_tokens: sqlite.total_tokens,
      cached_tokens: sqlite.cached_tokens,
      cost_usd: 2 * N * 0.5,
      avg_duration_ms: Math.round(sqlite.avg!),
    });
    expect(sqlite.total_tokens).toBe(2 * N * 1.5 * BIG);
    const s = await A.usageSummary(range);
    expect([s.requests, s.totalTokens, s.promptTokens, s.cachedTokens]).toEqual([
      2 * N,
      sqlite.total_tokens,
      sqlite.prompt_tokens,
      sqlite.cached_tokens,
    ]);
    // Percentiles of 600 values are exact; the histogram path reads the (bigint) counts.
    expect([s.p50LatencyMs, s.p50TtftMs]).toEqual([BIG, BIG / 2]);
    const L = await import("./latency");
    const P = await import("./periods");
    expect(await L.percentiles("duration", P.interval(range), 2 * N, [50], "histogram")).toEqual([
      P.binValue(P.binOf(BIG)),
    ]);
    const points = await A.usageTimeSeries(range, 6);
    expect(points.map((p) => [p.t, p.requests, p.totalTokens, p.avgLatencyMs, p.avgTtftMs])).toEqual([
      [HOUR0, N, N * 1.5 * BIG, BIG, BIG / 2],
      [HOUR0 + H, N, N * 1.5 * BIG, BIG, BIG / 2],
    ]);
    for (const v of [row!.total_tokens, s.totalTokens, points[0]!.totalTokens]) expect(typeof v).toBe("number");
  });

  it("a key's usage, budget and per-key totals sum past 2^31 exactly", async () => {
    const since = new Date(HOUR0 - H);
    const { admit } = await import("../access/limits");
    const { spendSince, spendWithLifetime } = await import("../access/spend");
    // the key's ledger: one hour of its life holds all N records, 3.6e9 tokens (bigint on PostgreSQL)
    const u = await spendSince({ id: "key-big", createdAt: since }, since);
    expect([u.requests, u.tokens, typeof u.tokens, u.costUsd]).toEqual([N, N * 1.5 * BIG, "number", N * 0.5]);
    const both = await spendWithLifetime({ id: "key-big", createdAt: since }, since);
    expect(both).toEqual({ period: u, lifetime: u });
    const { usageByModelForKey } = await import("../access/usage");
    const [m] = await usageByModelForKey("key-big", { since, until: new Date(NOW) });
    expect([m!.requests, m!.total_tokens, m!.prompt_tokens, m!.avg_duration_ms]).toEqual([
      N,
      N * 1.5 * BIG,
      N * BIG,
      BIG,
    ]);
    const { usageByKey } = await import("../access/by-key");
    const k = (await usageByKey({ since, until: new Date(NOW) })).find((r) => r.key_id === "key-big");
    expect([k?.requests, k?.total_tokens]).toEqual([N, N * 1.5 * BIG]);
    // The largest token budget a key may have (2e9) is over: refused with 429, not an overflow.
    const key = {
      id: "key-big",
      name: "big",
      prefix: "ccb-big",
      allowedModels: [],
      rpmLimit: null,
      tpmLimit: null,
      maxBudgetUsd: null,
      maxBudgetTokens: 2_000_000_000,
      budgetDuration: null,
      expiresAt: null,
      createdAt: since,
      updatedAt: since,
      revokedAt: null,
      agentLevel: null,
      workspace: null,
    };
    await expect(admit(key, NOW)).rejects.toMatchObject({ status: 429, code: "insufficient_quota" });
  });

  it("a session's token totals pass 2^31: its turns are still saved and read back as numbers", async () => {
    const { commitTurn } = await import("../sessions/store");
    const Q = await import("../sessions/queries");
    for (const i of [0, 1, 2]) {
      await commitTurn({
        sessionId: "long",
        provider: "claude-code",
        model: MODEL,
        upstreamSessionId: null,
        systemPrompt: null,
        messages: [
          { role: "user", content: `turn ${i}` },
          { role: "assistant", content: "ok" },
        ],
        requestId: `req_long_${i}`,
        usage: { promptTokens: 1_000_000_000, completionTokens: 1, cachedTokens: 0 },
        title: "long",
      });
    }
    const want = { turnCount: 3, promptTokens: 3e9, completionTokens: 3, totalTokens: 3e9 + 3 };
    expect((await Q.sessionTranscript("long"))?.session).toMatchObject(want);
    const [listed] = (await Q.listSessions()).items;
    expect(listed).toMatchObject({ id: "long", ...want });
    expect(typeof listed?.totalTokens).toBe("number");
  });

  it("deleting and updating big records keeps the 64-bit rollups in step", async () => {
    await cluster.query("bigsums", `UPDATE "Request" SET "status" = 'ok' WHERE "keyId" = 'key-big'`);
    await cluster.query("bigsums", `DELETE FROM "Request" WHERE "id" LIKE 'batch-%'`);
    const rows = await cluster.query<{ r: string; d: string; e: string }>(
      "bigsums",
      `SELECT "requests" AS r, "durationMs" AS d, "errors" AS e FROM "UsageHourly" ORDER BY "hour"`,
    );
    expect(rows.map((r) => [Number(r.r), Number(r.d), Number(r.e)])).toEqual([[N, N * BIG, 0]]);
    // the key's ledger: an error turned ok spent the same; deleted records stay spent
    const spend = async () =>
      (
        await cluster.query<{ r: string; t: string }>(
          "bigsums",
          `SELECT "requests" AS r, "tokens" AS t FROM "KeySpend" WHERE "keyId" = 'key-big'`,
        )
      ).map((x) => [Number(x.r), Number(x.t)]);
    expect(await spend()).toEqual([[N, N * 1.5 * BIG]]);
    await cluster.query("bigsums", `DELETE FROM "Request" WHERE "keyId" = 'key-big'`);
    expect(await spend()).toEqual([[N, N * 1.5 * BIG]]);
  });
});
