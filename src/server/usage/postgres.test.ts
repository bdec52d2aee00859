// The console's usage queries on PostgreSQL give exactly what they give on SQLite: the same rows are
// written to a SQLite test database and to a private PostgreSQL cluster (migrated from empty as `npm
// start` does, rollups filled by the PostgreSQL triggers); the server modules run on PostgreSQL
// (DATABASE_URL) and are compared with plain SQL over the SQLite copy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRequestsToPg, migratePg, type PgCluster, startPostgres } from "../../../tests/helpers/postgres";
import { freshDb, insertRequests, query, randomRequests } from "../../../tests/helpers/seed";

const M = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const NOW = Date.UTC(2026, 0, 10, 12, 30, 0);

let cluster: PgCluster;
let url: string;
let file: string;
let A: typeof import("./analytics");
let S: typeof import("./summary");
let L: typeof import("./latency");
let P: typeof import("./periods");

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase("usage");
  await migratePg(url);
  file = freshDb("pg-usage");
  insertRequests(file, randomRequests(3000, 11, NOW, 40));
  await copyRequestsToPg(file, url);
  process.env.DATABASE_URL = url;
  A = await import("./analytics");
  S = await import("./summary");
  L = await import("./latency");
  P = await import("./periods");
});

afterAll(async () => {
  const { db } = await import("../db");
  await (await db()).$disconnect();
  cluster?.stop();
});

const ranges = () => ({
  "24h": A.rangeOf("24h", NOW),
  "7d": A.rangeOf("7d", NOW),
  all: A.rangeOf("all", NOW),
  odd: { since: new Date(NOW - 3 * D - 17 * M - 3_001), until: new Date(NOW - D + 7 * M + 11) },
  short: { since: new Date(NOW - 3 * H - 17 * M), until: new Date(NOW - 3 * H + 20 * M) },
});
const lo = (r: { since: Date | null }) => r.since?.getTime() ?? 0;
const hi = (r: { until: Date | null }) => r.until?.getTime() ?? 8.64e15;

function exactPercentile(range: { since: Date | null; until: Date | null }, p: number) {
  const v = query<{ v: number }>(
    file,
    "SELECT durationMs AS v FROM Request WHERE createdAt >= ? AND createdAt < ? AND status IN ('ok', 'error') ORDER BY v",
    lo(range),
    hi(range),
  ).map((r) => r.v);
  return v.length ? v[Math.ceil((v.length * p) / 100) - 1]! : null;
}

describe("usage queries on PostgreSQL", () => {
  it("fill the rollups through the PostgreSQL triggers, equal to the SQLite ones", async () => {
    const sqlite = query<Record<string, number>>(
      file,
      `SELECT hour, provider, model, requests, errors, cancelled, totalTokens, durationMs, latencyMs, ttftCount, ttftMs
       FROM UsageHourly ORDER BY hour, provider, model`,
    );
    const pg = await cluster.query<Record<string, unknown>>(
      "usage",
      `SELECT (EXTRACT(EPOCH FROM "hour") * 1000)::bigint AS hour, provider, model, requests, errors, cancelled,
        "totalTokens", "durationMs", "latencyMs", "ttftCount", "ttftMs" FROM "UsageHourly" ORDER BY 1, 2, 3`,
    );
    expect(
      pg.map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === "provider" || k === "model" ? v : Number(v)])),
      ),
    ).toEqual(sqlite);
    const hist = (rows: Record<string, unknown>[]) => rows.map((r) => Object.values(r).map(Number).join(","));
    expect(
      hist(
        await cluster.query(
          "usage",
          `SELECT kind, span, (EXTRACT(EPOCH FROM start) * 1000)::bigint AS start, bin, count FROM "LatencyHistogram" ORDER BY 1, 2, 3, 4`,
        ),
      ),
    ).toEqual(hist(query(file, "SELECT kind, span, start, bin, count FROM LatencyHistogram ORDER BY 1, 2, 3, 4")));
  });

  it("usageByModel equals the raw GROUP BY over the same rows", async () => {
    for (const range of Object.values(ranges())) {
      const want = query<Record<string, unknown>>(
        file,
        `SELECT model, provider, COUNT(*) AS requests, SUM(status = 'error') AS errors, SUM(status = 'cancelled') AS cancelled,
          SUM(promptTokens) AS prompt_tokens, SUM(completionTokens) AS completion_tokens, SUM(totalTokens) AS total_tokens,
          SUM(cachedTokens) AS cached_tokens, AVG(durationMs) AS avg_duration_ms
        FROM Request WHERE createdAt >= ? AND createdAt < ? GROUP BY model, provider ORDER BY requests DESC, model ASC`,
        lo(range),
        hi(range),
      ).map((r) => ({ ...r, avg_duration_ms: Math.round(Number(r.avg_duration_ms)) }));
      const got = await S.usageByModel(range);
      expect(got.map(({ cost_usd: _c, ...r }) => r)).toEqual(want);
    }
  });

  it("usageSummary: totals and exact and histogram percentiles", async () => {
    for (const [name, range] of Object.entries(ranges())) {
      const s = await A.usageSummary(range);
      const [ref] = query<Record<string, number>>(
        file,
        `SELECT COUNT(*) AS requests, COALESCE(SUM(status = 'error'), 0) AS errors, COALESCE(SUM(totalTokens), 0) AS totalTokens,
          SUM(status IN ('ok', 'error')) AS n FROM Request WHERE createdAt >= ? AND createdAt < ?`,
        lo(range),
        hi(range),
      );
      expect([name, s.requests, s.errors, s.totalTokens]).toEqual([name, ref!.requests, ref!.errors, ref!.totalTokens]);
      expect([name, s.p50LatencyMs, s.p95LatencyMs]).toEqual([
        name,
        exactPercentile(range, 50),
        exactPercentile(range, 95),
      ]);
      const hist = await L.percentiles("duration", P.interval(range), Number(ref!.n), [50, 95], "histogram");
      const want = [50, 95].map((p) => {
        const v = exactPercentile(range, p);
        return v === null ? null : P.binValue(P.binOf(v));
      });
      expect([name, ...hist]).toEqual([name, ...want]);
    }
  });

  it("usageTimeSeries buckets and filterOptions", async () => {
    const r = { since: new Date(NOW - 7 * D), until: new Date(NOW) };
    const points = await A.usageTimeSeries(r);
    const want = query<Record<string, number | string>>(
      file,
      `SELECT createdAt - createdAt % ? AS t, provider, COUNT(*) AS requests, SUM(totalTokens) AS totalTokens
      FROM Request WHERE createdAt >= ? AND createdAt < ? GROUP BY 1, 2 ORDER BY 1, 2`,
      6 * H,
      lo(r),
      hi(r),
    );
    expect(points.map((p) => [p.t, p.provider, p.requests, p.totalTokens])).toEqual(
      want.map((w) => [Number(w.t), w.provider, Number(w.requests), Number(w.totalTokens)]),
    );
    const opts = await A.filterOptions();
    expect(opts.models).toEqual(
      query<{ m: string }>(file, "SELECT DISTINCT model AS m FROM Request WHERE model <> '' ORDER BY m").map(
        (x) => x.m,
      ),
    );
  });

  it("the console's request list pages the same rows as on SQLite (keyset cursor, filters)", async () => {
    const R = await import("../requests/queries");
    const want = (where: string, ...params: unknown[]) =>
      query<{ id: string }>(
        file,
        `SELECT id FROM Request ${where} ORDER BY createdAt DESC, id DESC LIMIT 120`,
        ...params,
      ).map((r) => r.id);
    const pages = async (filter: Parameters<typeof R.listRequests>[0]) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      while (ids.length < 120) {
        const page: Awaited<ReturnType<typeof R.listRequests>> = await R.listRequests(filter, { limit: 40, cursor });
        ids.push(...page.items.map((i) => i.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return ids;
    };
    expect(await pages({})).toEqual(want(""));
    expect(await pages({ status: "error" })).toEqual(want("WHERE status = 'error'"));
    const model = query<{ m: string }>(file, "SELECT model AS m FROM Request LIMIT 1")[0]!.m;
    expect(await pages({ model })).toEqual(want("WHERE model = ?", model));
    const detail = await R.requestDetail(want("")[0]!);
    expect(detail?.id).toBe(want("")[0]);
  });

  it("a run's steps on PostgreSQL: the list's tool filter and step count, the detail's timeline, tools by range", async () => {
    const R = await import("../requests/queries");
    const T = await import("../requests/steps");
    const ids = query<{ id: string }>(file, "SELECT id FROM Request ORDER BY createdAt DESC, id DESC LIMIT 3").map(
      (r) => r.id,
    );
    // The newest three requests ran Bash (the second failed); the newest also a Write.
    for (const [i, id] of ids.entries()) {
      await cluster.query(
        "usage",
        `INSERT INTO "RequestStep" ("requestId", "seq", "kind", "tool", "summary", "outcome", "startedAt", "durationMs", "path")
         SELECT $1, 1, 'tool', 'Bash', 'ls', $2, "createdAt", 40, NULL FROM "Request" WHERE "id" = $1`,
        [id, i === 1 ? "error" : "ok"],
      );
    }
    await cluster.query(
      "usage",
      `INSERT INTO "RequestStep" ("requestId", "seq", "parentSeq", "kind", "tool", "summary", "outcome", "startedAt", "durationMs", "path")
       SELECT $1, 2, 1, 'tool', 'Write', 'a.txt', 'ok', "createdAt", 10, '/w/a.txt' FROM "Request" WHERE "id" = $1`,
      [ids[0]],
    );
    const bash = await R.listRequests({ tool: "Bash" });
    expect(bash.items.map((r) => [r.id, r.steps])).toEqual([
      [ids[0], 2],
      [ids[1], 1],
      [ids[2], 1],
    ]);
    expect((await R.listRequests({ tool: "Write" })).items.map((r) => r.id)).toEqual([ids[0]]);
    expect((await R.requestDetail(ids[0]!))?.steps.map((s) => [s.seq, s.parentSeq, s.tool, s.path])).toEqual([
      [1, null, "Bash", null],
      [2, 1, "Write", "/w/a.txt"],
    ]);
    expect((await A.filterOptions()).tools).toEqual(["Bash", "Write"]);
    expect(await T.toolStats(A.rangeOf("all", NOW))).toEqual([
      { tool: "Bash", calls: 3, errors: 1, avgMs: 40 },
      { tool: "Write", calls: 1, errors: 0, avgMs: 10 },
    ]);
  });

  it("pgBinSqlText gives binOf()'s bin for every value (PostgreSQL's own log)", async () => {
    const values: number[] = [-5, 0, 1, 31, 32, 33, 47, 48, 63, 64, 65, 1023, 1024, 1025];
    for (let v = 0; v < 5_000_000; v = Math.floor(v * 1.013) + 1) values.push(v, v + 1, 2 ** 20 - v);
    const rows = await cluster.query<{ v: number; bin: number }>(
      "usage",
      `SELECT v, ${P.pgBinSqlText("v")} AS bin FROM unnest($1::int[]) AS t(v)`,
      [values],
    );
    expect(rows.length).toBe(values.length);
    for (const r of rows) expect([r.v, r.bin]).toEqual([r.v, P.binOf(r.v)]);
  });

  it("retention-style deletes keep the rollups in step (delete trigger)", async () => {
    await cluster.query("usage", `DELETE FROM "Request" WHERE "createdAt" < TIMESTAMP '2025-12-06'`);
    const [t] = await cluster.query<{ r: string; u: string }>(
      "usage",
      `SELECT (SELECT COUNT(*) FROM "Request") AS r, (SELECT SUM("requests") FROM "UsageHourly") AS u`,
    );
    expect(Number(t!.u)).toBe(Number(t!.r));
  });

  it("retention prunes in batches and the rollups keep their totals (the trigger reads the flag)", async () => {
    await cluster.query("usage", `INSERT INTO "RequestContent" SELECT id, 'p', 'a' FROM "Request"`);
    const sums = async () =>
      (
        await cluster.query<{ r: string; h: string; n: string; c: string }>(
          "usage",
          `SELECT (SELECT SUM("requests") FROM "UsageHourly") AS r, (SELECT SUM("count") FROM "LatencyHistogram") AS h,
            (SELECT COUNT(*) FROM "Request") AS n, (SELECT COUNT(*) FROM "RequestContent") AS c`,
        )
      )[0]!;
    const before = await sums();
    const cut = (days: number) =>
      cluster.query<{ n: string }>("usage", `SELECT COUNT(*) AS n FROM "Request" WHERE "createdAt" < $1`, [
        new Date(NOW - days * D).toISOString().replace("Z", ""),
      ]);
    const [old] = await cut(20);
    const [older10] = await cut(10);
    // Claude Code transcripts: one idle for 30 days (2 entries) goes, a recent one stays.
    for (const [id, uuid, days] of [
      ["c-pg-old", "u1", 30],
      ["c-pg-old", "u2", 30],
      ["c-pg-new", "u3", 1],
    ] as const) {
      await cluster.query(
        "usage",
        `INSERT INTO "TranscriptEntry" ("sessionId", "uuid", "entry", "createdAt") VALUES ($1, $2, '{}', $3)`,
        [id, uuid, new Date(NOW - days * D).toISOString().replace("Z", "")],
      );
    }
    const { pruneOnce } = await import("../retention");
    const res = await pruneOnce(NOW, { retention: 20, content: 10 });
    expect(res.transcripts).toBe(2);
    expect(await cluster.query("usage", `SELECT DISTINCT "sessionId" FROM "TranscriptEntry"`)).toEqual([
      { sessionId: "c-pg-new" },
    ]);
    expect(res.contents).toBe(Number(older10!.n));
    expect(res.requests).toBe(Number(old!.n));
    expect(res.requests).toBeGreaterThan(500); // more than one batch
    const after = await sums();
    expect([after.r, after.h]).toEqual([before.r, before.h]);
    expect(Number(after.n)).toBe(Number(before.n) - res.requests);
    expect(Number(after.c)).toBe(Number(before.n) - Number(older10!.n));
  });
});
