// Times the console's queries on the database bench/run.mjs seeded (USAGE_DB_PATH), through the same
// Prisma client the server uses, and writes the timings as JSON to BENCH_OUT.
import fs from "node:fs";
import { expect, test } from "vitest";
import { Prisma } from "../src/generated/prisma/client";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const facts = JSON.parse(fs.readFileSync(process.env.BENCH_FACTS!, "utf8"));

interface Timing {
  group: string;
  name: string;
  first: number;
  median: number;
  p95: number;
  runs: number;
  size: string;
}

const rank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((sorted.length * p) / 100) - 1)]!;

function sizeOf(v: unknown): string {
  if (v == null) return "null";
  if (Array.isArray(v)) return `${v.length} rows`;
  if (typeof v === "object" && "items" in v) return `${(v as { items: unknown[] }).items.length} rows`;
  if (typeof v === "object" && "turns" in v) return `${(v as { turns: unknown[] }).turns.length} turns`;
  return "1 row";
}

test("console queries at scale", async () => {
  const A = await import("../src/server/usage/analytics");
  const S = await import("../src/server/usage/summary");
  const R = await import("../src/server/requests/queries");
  const C = await import("../src/server/requests/cursor");
  const Q = await import("../src/server/sessions/queries");
  const { insertRequest } = await import("../src/server/usage/store");
  const { db } = await import("../src/server/db");
  const prisma = await db();
  const timings: Timing[] = [];

  async function time(group: string, name: string, fn: () => Promise<unknown>, runs = RUNS) {
    let t = performance.now();
    const result = await fn();
    const first = performance.now() - t;
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    timings.push({ group, name, first, median: rank(ms, 50), p95: rank(ms, 95), runs, size: sizeOf(result) });
    return result;
  }

  const keys = ["1h", "24h", "7d", "30d", "all"] as const;
  for (const k of keys) await time("dashboard", `usageSummary ${k}`, () => A.usageSummary(A.rangeOf(k)));
  for (const k of keys) await time("dashboard", `usageTimeSeries ${k}`, () => A.usageTimeSeries(A.rangeOf(k)));
  await time("dashboard", "latestErrors 10, 24h", () => A.latestErrors(10, A.rangeOf("24h")));
  await time("dashboard", "latestErrors 10, all", () => A.latestErrors(10));
  await time("dashboard", "filterOptions", () => A.filterOptions());
  for (const k of ["24h", "30d", "all"] as const) {
    await time("dashboard", `usageByModel ${k} (GET /v1/usage)`, () => S.usageByModel(A.rangeOf(k)));
  }

  // A cursor half-way down the table (found with OFFSET outside the timing).
  const deepRow = async (where: { model?: string }, offset: number) => {
    const [row] = await prisma.request.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: offset,
      take: 1,
      select: { createdAt: true, id: true },
    });
    return C.encodeCursor({ at: row!.createdAt, id: row!.id });
  };
  const deep = await deepRow({}, Math.floor(facts.rows / 2));
  const deepModel = await deepRow({ model: "sonnet" }, Math.floor(facts.rows / 20));
  await time("requests", "listRequests first page (50)", () => R.listRequests({}, {}));
  await time("requests", "listRequests model=sonnet, status=error", () =>
    R.listRequests({ model: "sonnet", status: "error" }, {}),
  );
  await time("requests", "listRequests provider=ollama, last 7d", () =>
    R.listRequests({ provider: "ollama", since: A.rangeOf("7d").since! }, {}),
  );
  await time("requests", "listRequests status=cancelled", () => R.listRequests({ status: "cancelled" }, {}));
  await time("requests", "listRequests model=opus, status=ok", () =>
    R.listRequests({ model: "opus", status: "ok" }, {}),
  );
  await time("requests", "listRequests provider=ollama, model=sonnet (none)", () =>
    R.listRequests({ provider: "ollama", model: "sonnet" }, {}),
  );
  await time("requests", "listRequests model=nope, status=ok (none)", () =>
    R.listRequests({ model: "nope", status: "ok" }, {}),
  );
  await time("requests", "listRequests session filter", () => R.listRequests({ sessionId: facts.busiestSession }, {}));
  await time("requests", "listRequests deep cursor (row 500k)", () => R.listRequests({}, { cursor: deep }));
  await time("requests", "listRequests model=sonnet, deep cursor", () =>
    R.listRequests({ model: "sonnet" }, { cursor: deepModel }),
  );
  await time("requests", "listRequests 200 rows", () => R.listRequests({}, { limit: 200 }));
  const detail = await time("requests", "requestDetail (with content)", () => R.requestDetail(facts.contentIds[0]));
  expect(detail).toMatchObject({ content: { answer: expect.any(String) } });
  await time("requests", "requestDetail (error, no content)", () => R.requestDetail(facts.errorIds[0]));

  const sessions = (await Q.listSessions({ limit: 200 })) as Awaited<ReturnType<typeof Q.listSessions>>;
  await time("sessions", "listSessions first page (50)", () => Q.listSessions({}));
  await time("sessions", "listSessions provider=ollama", () => Q.listSessions({ provider: "ollama" }));
  await time("sessions", "listSessions next page", () => Q.listSessions({ cursor: sessions.nextCursor }));
  await time("sessions", "sessionTranscript (typical)", () => Q.sessionTranscript(facts.typicalSession));
  await time("sessions", "sessionTranscript (busiest)", () => Q.sessionTranscript(facts.busiestSession));

  // For comparison: what the dashboard would cost reading Request directly (no rollups).
  const since30 = Date.now() - 30 * 86_400_000;
  const pg = Boolean(process.env.DATABASE_URL);
  const at = pg ? new Date(since30) : since30;
  const isError = pg ? Prisma.sql`CASE WHEN "status" = 'error' THEN 1 ELSE 0 END` : Prisma.sql`"status" = 'error'`;
  await time(
    "reference",
    "raw GROUP BY model over Request, 30d (old usageByModel)",
    () =>
      prisma.$queryRaw`SELECT "model", "provider", COUNT(*), SUM(${isError}), SUM("promptTokens"), SUM("totalTokens"),
        SUM("costUsd"), AVG("durationMs") FROM "Request" WHERE "createdAt" >= ${at} GROUP BY "model", "provider"`,
    5,
  );
  await time(
    "reference",
    "raw exact p95 latency by sort, 30d",
    () =>
      prisma.$queryRaw`SELECT "durationMs" FROM "Request" WHERE "createdAt" >= ${at} AND "status" IN ('ok', 'error')
        ORDER BY "durationMs" LIMIT 1 OFFSET ${Math.floor(facts.rows * 0.95 * 0.96)}`,
    5,
  );

  // The write path: one record through Prisma, rollup triggers included.
  let n = 0;
  const row = {
    createdAt: new Date(),
    model: "ollama/qwen3:8b",
    provider: "ollama",
    upstreamModel: "qwen3:8b",
    stream: true,
    sessionId: null,
    status: "ok" as const,
    httpStatus: 200,
    errorType: null,
    errorCode: null,
    errorMessage: null,
    finishReason: "stop",
    promptTokens: 100,
    completionTokens: 50,
    totalTokens: 150,
    cachedTokens: 0,
    costUsd: null,
    durationMs: 1234,
    ttftMs: 210,
    userAgent: "bench",
    clientAddress: null,
  };
  await time("write", "insertRequest (Prisma, with rollup triggers)", () =>
    insertRequest({ ...row, id: `bench_${n++}`, createdAt: new Date() }),
  );
  // Throughput: 4 writers at once (as concurrent requests finishing), 250 records each.
  const burst = async () => {
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 250; i++) await insertRequest({ ...row, id: `bench_${n++}`, createdAt: new Date() });
      }),
    );
    return 1000 / ((performance.now() - t) / 1000);
  };
  const rates = [await burst(), await burst(), await burst()].sort((a, b) => a - b);
  timings.push({
    group: "write",
    name: "insertRequest × 1000, 4 concurrent writers (records/s: median of 3)",
    first: 0,
    median: 0,
    p95: 0,
    runs: 3,
    size: `${Math.round(rates[1]!)} records/s`,
  });

  // The same without the triggers (dropped: this database is thrown away), to show what they cost.
  for (const name of ["Request_rollup_insert", "Request_rollup_delete", "Request_rollup_update"]) {
    await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "${name}"${pg ? ' ON "Request"' : ""}`);
  }
  await time("write", "insertRequest (Prisma, triggers dropped)", () =>
    insertRequest({ ...row, id: `bench_${n++}`, createdAt: new Date() }),
  );

  fs.writeFileSync(process.env.BENCH_OUT!, JSON.stringify(timings, null, 2));
});
