// Chooses the PostgreSQL rollup mechanism by measurement (issue 12): two writers (two connections, as two
// gateway instances) insert request records at once into the same hour and the same few models (the hot
// rollup rows), one row per transaction and in batches of 20 (group commit). Mechanisms:
//   statement  the migration's statement-level trigger (aggregates the statement's rows, upserts in key order)
//   rowwise    one upsert per row in insertion order, as a row-level trigger (or a naive app) does
//   none       no rollup at all (the floor)
// Prints rows/s and deadlocks per case, and writes the table to bench/results.md.
//   node bench/pg-rollup.mjs [--rows 4000] [--fsync]
import pg from "pg";
import { ensurePrismaClient, migratePostgres } from "../scripts/lib.mjs";
import { startCluster } from "../tests/helpers/pg-cluster.mjs";
import { writeSection } from "./results.mjs";

const i = process.argv.indexOf("--rows");
const ROWS = i > 0 ? Number(process.argv[i + 1]) : 4000;
// --fsync: a durable server (fsync on, the default of a real one); without it fsync is off (CPU only).
const FSYNC = process.argv.includes("--fsync");
const MODELS = ["haiku", "sonnet", "opus", "qwen3:8b"];

const COLS = `"id", "createdAt", "model", "provider", "status", "httpStatus", "promptTokens", "completionTokens", "totalTokens", "durationMs", "ttftMs"`;
const ROWWISE = `INSERT INTO "UsageHourly" AS u ("hour", "provider", "model", "requests", "promptTokens", "totalTokens", "durationMs")
  VALUES (date_trunc('hour', $1::timestamp), $2, $3, 1, $4, $5, $6)
  ON CONFLICT ("hour", "provider", "model") DO UPDATE SET "requests" = u."requests" + 1,
    "promptTokens" = u."promptTokens" + excluded."promptTokens", "totalTokens" = u."totalTokens" + excluded."totalTokens",
    "durationMs" = u."durationMs" + excluded."durationMs"`;

async function writer(url, tag, mechanism, batch, rows) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let deadlocks = 0;
  const at = "2026-11-27 10:30:00";
  for (let n = 0; n < rows; n += batch) {
    const recs = Array.from({ length: batch }, (_, k) => {
      const model = MODELS[Math.floor(Math.random() * MODELS.length)];
      return [`${tag}-${n + k}`, at, model, "p", "ok", 200, 10, 20, 30, 100 + k, 20];
    });
    for (;;) {
      try {
        await c.query("BEGIN");
        const values = recs.map((_, r) => `(${recs[0].map((__, j) => `$${r * 11 + j + 1}`).join(", ")})`).join(", ");
        await c.query(`INSERT INTO "Request" (${COLS}) VALUES ${values}`, recs.flat());
        if (mechanism === "rowwise") for (const r of recs) await c.query(ROWWISE, [r[1], r[3], r[2], r[6], r[8], r[9]]);
        await c.query("COMMIT");
        break;
      } catch (e) {
        await c.query("ROLLBACK");
        if (e.code === "40P01") deadlocks++;
        else throw e;
      }
    }
  }
  await c.end();
  return deadlocks;
}

ensurePrismaClient();
const cluster = await startCluster([FSYNC ? "fsync=on" : "fsync=off", "deadlock_timeout=50ms"]);
const results = [];
try {
  const admin = new pg.Client({ connectionString: cluster.url("postgres") });
  await admin.connect();
  for (const mechanism of ["statement", "rowwise", "none"]) {
    for (const batch of [1, 20]) {
      const name = `b_${mechanism}_${batch}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const url = cluster.url(name);
      migratePostgres(url);
      if (mechanism !== "statement") {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`ALTER TABLE "Request" DISABLE TRIGGER USER`);
        await c.end();
      }
      const t = performance.now();
      const dl = await Promise.all([
        writer(url, "a", mechanism, batch, ROWS / 2),
        writer(url, "b", mechanism, batch, ROWS / 2),
      ]);
      const s = (performance.now() - t) / 1000;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const { rows } = await c.query(`SELECT COALESCE(SUM("requests"), 0)::int AS n FROM "UsageHourly"`);
      await c.end();
      const row = {
        mechanism,
        batch,
        rowsPerS: Math.round(ROWS / s),
        deadlocks: dl[0] + dl[1],
        rollupRequests: rows[0].n,
      };
      console.log(row);
      results.push(row);
    }
  }
  await admin.end();
} finally {
  cluster.stop();
}

const lines = [
  `## PostgreSQL rollups: two concurrent writers${FSYNC ? " (fsync on)" : ""}`,
  "",
  `\`node bench/pg-rollup.mjs --rows ${ROWS}\`: two connections insert ${ROWS} records in all into one hour and ${MODELS.length} models (the hot rollup rows), one record per transaction or 20 (group commit). PostgreSQL 15, fsync ${FSYNC ? "on" : "off"}, 2 shared cores. Command: \`node bench/pg-rollup.mjs --rows ${ROWS}${FSYNC ? " --fsync" : ""}\`.`,
  "",
  "| mechanism | records per transaction | records/s | deadlocks (retried) | rollup requests |",
  "| --- | --- | --- | --- | --- |",
  ...results.map((r) => `| ${r.mechanism} | ${r.batch} | ${r.rowsPerS} | ${r.deadlocks} | ${r.rollupRequests} |`),
  "",
  "statement: the migration's statement-level trigger (one aggregated upsert per rollup row and statement, in key order). rowwise: one upsert per record in arrival order, as a row-level trigger does. none: no rollups (the floor).",
];
writeSection(FSYNC ? "pg-rollup-fsync" : "pg-rollup", lines.join("\n"));
