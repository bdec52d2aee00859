// `npm run bench:transcripts`: what mirroring a session's Claude Code transcript to the database adds
// to a warm session's turn (bench/transcripts.perf.ts), CLAUDE_TRANSCRIPTS=database against local, side
// by side in one run. Prints the table and writes it to bench/results.md (copy it into docs/benchmarks.md).
//   node bench/transcripts.mjs [--runs 40]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuild, ensureDeps, ensurePrismaClient, migrate } from "../scripts/lib.mjs";
import { runPerf, writeSection } from "./results.mjs";

const i = process.argv.indexOf("--runs");
const runs = i > 0 ? Number(process.argv[i + 1]) : 40;
ensureDeps();
ensurePrismaClient();
ensureBuild();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-bench-"));
try {
  const db = path.join(dir, "template.db");
  migrate(db);
  const out = path.join(dir, "transcripts.json");
  const ok = runPerf("bench/transcripts.perf.ts", { BENCH_DB: db, BENCH_OUT: out, BENCH_RUNS: String(runs) });
  if (!ok || !fs.existsSync(out)) {
    console.error("bench:transcripts: the run failed");
    process.exit(1);
  }
  const md = report(JSON.parse(fs.readFileSync(out, "utf8")));
  console.log(`\n${md}`);
  writeSection("transcripts", md);
  console.log("bench:transcripts: written to bench/results.md (copy the table into docs/benchmarks.md)");
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

function report({ runs, stats, entries, load }) {
  const cpus = os.cpus();
  const d = stats.database;
  const l = stats.local;
  const ms = (v) => v.toFixed(1);
  const plus = (a, b) => `${a - b >= 0 ? "+" : ""}${(a - b).toFixed(1)}`;
  return [
    "## Transcript mirroring (`npm run bench:transcripts`)",
    "",
    `- Date: ${new Date().toISOString()}; ${cpus.length} × ${cpus[0]?.model ?? "?"}, Node ${process.version}; load average ${load.map((v) => v.toFixed(1)).join(" / ")} at the end.`,
    `- A session's later turn on its warm process, streamed, ${runs} turns each, the two gateways' turns alternating; the real \`claude\` against the tests' fake Anthropic API (answers at once); SQLite. \`database\`: the transcript mirrored (${entries} entries stored in the run); \`local\`: Claude Code's own files only.`,
    "",
    "| CLAUDE_TRANSCRIPTS | TTFT p50 ms | TTFT p95 ms | total p50 ms | total p95 ms |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| local | ${ms(l.ttft50)} | ${ms(l.ttft95)} | ${ms(l.total50)} | ${ms(l.total95)} |`,
    `| database | ${ms(d.ttft50)} | ${ms(d.ttft95)} | ${ms(d.total50)} | ${ms(d.total95)} |`,
    `| added by mirroring | ${plus(d.ttft50, l.ttft50)} | ${plus(d.ttft95, l.ttft95)} | ${plus(d.total50, l.total50)} | ${plus(d.total95, l.total95)} |`,
    "",
    "Goal: under 5 ms added at p50.",
  ].join("\n");
}
