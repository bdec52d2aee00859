// `npm run bench`: seeds a temporary database with 1,000,000 request records (bench/seed.mjs), then
// times every console query through the server's own modules (bench/console.perf.ts, run by vitest
// for its TypeScript and path aliases) and prints the table, also written to bench/results.md.
//   node bench/run.mjs [--rows 1000000] [--runs 20] [--keep]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { ensurePrismaClient, migrate } from "../scripts/lib.mjs";
import { runPerf, writeSection } from "./results.mjs";
import { seed } from "./seed.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const rows = arg("rows", 1_000_000);
const runs = arg("runs", 20);
const keep = process.argv.includes("--keep");

ensurePrismaClient();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-bench-"));
const dbPath = path.join(dir, "usage.db");
try {
  let t = Date.now();
  migrate(dbPath);
  console.log(`bench: migrated ${dbPath} in ${Date.now() - t} ms; seeding ${rows.toLocaleString("en")} requests…`);
  t = Date.now();
  const facts = seed(dbPath, { rows, log: (m) => console.log(`bench: ${m}`) });
  const seedMs = Date.now() - t;
  console.log(`bench: seeded in ${(seedMs / 1000).toFixed(1)} s`);
  fs.writeFileSync(path.join(dir, "facts.json"), JSON.stringify(facts));

  const out = path.join(dir, "timings.json");
  const ok = runPerf("bench/console.perf.ts", {
    USAGE_DB_PATH: dbPath,
    BENCH_FACTS: path.join(dir, "facts.json"),
    BENCH_OUT: out,
    BENCH_RUNS: String(runs),
  });
  if (!ok || !fs.existsSync(out)) {
    console.error("bench: the timing run failed");
    process.exitCode = 1;
  } else {
    const md = report(JSON.parse(fs.readFileSync(out, "utf8")), seedMs);
    console.log(`\n${md}`);
    writeSection("console", md);
    console.log("bench: written to bench/results.md");
  }
} finally {
  if (keep) console.log(`bench: kept ${dbPath}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

function report(timings, seedMs) {
  const db = new Database(dbPath, { readonly: true });
  const count = (table) => db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get().n.toLocaleString("en");
  const sqlite = db.prepare("SELECT sqlite_version() AS v").get().v;
  const counts = ["Request", "RequestContent", "Session", "SessionMessage", "UsageHourly", "LatencyHistogram"]
    .map((t) => `${t} ${count(t)}`)
    .join(", ");
  db.close();
  const size = fs.statSync(dbPath).size + (fs.existsSync(`${dbPath}-wal`) ? fs.statSync(`${dbPath}-wal`).size : 0);
  const cpus = os.cpus();
  const ms = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const lines = [
    "## Console queries (`npm run bench`)",
    "",
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
      `${os.type()} ${os.release()}, Node ${process.version}, SQLite ${sqlite} (better-sqlite3), Prisma 6.19 JS engine`,
    `- Data: ${counts}; ${(size / 2 ** 20).toFixed(0)} MiB; 30 days, 8 models over 2 providers, ~3% errors, ` +
      `~1% cancelled (bench/seed.mjs); seeded in ${(seedMs / 1000).toFixed(1)} s with the rollup triggers on`,
    `- Method: each query through the server's modules and Prisma client (warm page cache); "first" is the first` +
      ` call, then median and p95 over ${timings[0]?.runs ?? "?"} more calls (reference rows: 5). Command: \`npm run bench\``,
    "",
    "| group | query | result | first ms | median ms | p95 ms |",
    "| --- | --- | --- | ---: | ---: | ---: |",
    ...timings.map((t) => `| ${t.group} | ${t.name} | ${t.size} | ${ms(t.first)} | ${ms(t.median)} | ${ms(t.p95)} |`),
    "",
  ];
  return lines.join("\n");
}
