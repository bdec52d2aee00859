// The console benchmark on PostgreSQL, beside SQLite's (`npm run bench`): seeds the same 1,000,000
// records (bench/seed.mjs into SQLite, then copied into a private PostgreSQL cluster migrated from empty,
// rollup triggers on), then times the same queries and writes through the server's modules with
// DATABASE_URL set (bench/console.perf.ts). Writes the table to bench/results.md (section console-pg).
//   node bench/pg.mjs [--rows 1000000] [--runs 20]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { ensurePrismaClient, migrate, migratePostgres } from "../scripts/lib.mjs";
import { startCluster } from "../tests/helpers/pg-cluster.mjs";
import { runPerf, writeSection } from "./results.mjs";
import { seed } from "./seed.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const rows = arg("rows", 1_000_000);
const runs = arg("runs", 20);

ensurePrismaClient();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-bench-pg-"));
const dbPath = path.join(dir, "usage.db");
const cluster = await startCluster(["shared_buffers=256MB"]);
try {
  migrate(dbPath);
  console.log(`bench: seeding ${rows.toLocaleString("en")} requests into SQLite…`);
  const facts = seed(dbPath, { rows, log: (m) => console.log(`bench: ${m}`) });
  fs.writeFileSync(path.join(dir, "facts.json"), JSON.stringify(facts));

  const admin = new pg.Client({ connectionString: cluster.url("postgres") });
  await admin.connect();
  await admin.query("CREATE DATABASE bench");
  await admin.end();
  const url = cluster.url("bench");
  migratePostgres(url);
  const t = Date.now();
  const copied = await copy(dbPath, url);
  const loadS = (Date.now() - t) / 1000;
  console.log(`bench: copied ${copied} rows into PostgreSQL in ${loadS.toFixed(1)} s`);

  const out = path.join(dir, "timings.json");
  const ok = runPerf("bench/console.perf.ts", {
    DATABASE_URL: url,
    BENCH_FACTS: path.join(dir, "facts.json"),
    BENCH_OUT: out,
    BENCH_RUNS: String(runs),
  });
  if (!ok || !fs.existsSync(out)) {
    console.error("bench: the timing run failed");
    process.exitCode = 1;
  } else {
    const md = await report(JSON.parse(fs.readFileSync(out, "utf8")), url, loadS);
    console.log(`\n${md}`);
    writeSection("console-pg", md);
  }
} finally {
  cluster.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Copies the seeded tables (the rollups follow through the PostgreSQL triggers), 5,000 rows a statement. */
async function copy(file, url) {
  const db = new Database(file, { readonly: true });
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let n = 0;
  const dates = { Request: ["createdAt"], Session: ["createdAt", "lastUsedAt"], SessionMessage: ["createdAt"] };
  const bools = { Request: ["stream"] };
  try {
    for (const table of ["Request", "RequestContent", "Session", "SessionMessage"]) {
      const it = db.prepare(`SELECT * FROM "${table}"`).iterate();
      let batch = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await c.query(`INSERT INTO "${table}" SELECT * FROM json_populate_recordset(NULL::"${table}", $1)`, [
          JSON.stringify(batch),
        ]);
        n += batch.length;
        batch = [];
      };
      for (const r of it) {
        for (const k of dates[table] ?? [])
          if (r[k] != null) r[k] = new Date(Number(r[k])).toISOString().replace("Z", "");
        for (const k of bools[table] ?? []) r[k] = Boolean(r[k]);
        batch.push(r);
        if (batch.length >= 5_000) await flush();
      }
      await flush();
    }
    await c.query(
      `SELECT setval(pg_get_serial_sequence('"SessionMessage"', 'id'), (SELECT MAX(id) FROM "SessionMessage"))`,
    );
    await c.query("VACUUM ANALYZE");
  } finally {
    await c.end();
    db.close();
  }
  return n;
}

async function report(timings, url, loadS) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const count = async (t) => Number((await c.query(`SELECT COUNT(*) AS n FROM "${t}"`)).rows[0].n).toLocaleString("en");
  const counts = [];
  for (const t of ["Request", "RequestContent", "Session", "SessionMessage", "UsageHourly", "LatencyHistogram"])
    counts.push(`${t} ${await count(t)}`);
  const version = (await c.query("SHOW server_version")).rows[0].server_version;
  const size = Number((await c.query("SELECT pg_database_size(current_database()) AS s")).rows[0].s);
  await c.end();
  const cpus = os.cpus();
  const ms = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  return [
    "## Console queries on PostgreSQL (`node bench/pg.mjs`)",
    "",
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} × ${cpus[0]?.model ?? "?"} (shared with other work), Node ${process.version}, ` +
      `PostgreSQL ${version} (private cluster, shared_buffers 256MB, fsync on), @prisma/adapter-pg 6.19 (pool of 10)`,
    `- Data: the same seed as the SQLite table above (bench/seed.mjs): ${counts.join(", ")}; ` +
      `${(size / 2 ** 20).toFixed(0)} MiB; copied in ${loadS.toFixed(1)} s with the rollup triggers on, then VACUUM ANALYZE`,
    `- Method: as for SQLite (bench/console.perf.ts with DATABASE_URL); "first" is the first call, then median and p95 ` +
      `over ${timings[0]?.runs ?? "?"} more calls. Command: \`node bench/pg.mjs\``,
    "",
    "| group | query | result | first ms | median ms | p95 ms |",
    "| --- | --- | --- | ---: | ---: | ---: |",
    ...timings.map((t) => `| ${t.group} | ${t.name} | ${t.size} | ${ms(t.first)} | ${ms(t.median)} | ${ms(t.p95)} |`),
    "",
  ].join("\n");
}
