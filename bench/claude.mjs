// `npm run bench:claude`: Claude Code's time to first token cold, on a spare and on a warm session
// process, measured side by side in one run (bench/claude.perf.ts), plus the memory of an idle
// process. Prints the table and writes it to bench/results.md and the README.
//   node bench/claude.mjs [--runs 7]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuild, ensureDeps, ensurePrismaClient, migrate } from "../scripts/lib.mjs";
import { runPerf, writeSection } from "./results.mjs";

const i = process.argv.indexOf("--runs");
const runs = i > 0 ? Number(process.argv[i + 1]) : 7;
ensureDeps();
ensurePrismaClient();
ensureBuild();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-bench-"));
try {
  const db = path.join(dir, "template.db");
  migrate(db);
  const out = path.join(dir, "claude.json");
  const ok = runPerf("bench/claude.perf.ts", { BENCH_DB: db, BENCH_OUT: out, BENCH_RUNS: String(runs) });
  if (!ok || !fs.existsSync(out)) {
    console.error("bench:claude: the run failed");
    process.exit(1);
  }
  const md = report(JSON.parse(fs.readFileSync(out, "utf8")));
  console.log(`\n${md}`);
  writeSection("claude", md);
  console.log("bench:claude: written to bench/results.md (copy the table into the README's Benchmarks)");
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

function report({ ttft, memory, runs }) {
  const cold = ttft.cold.median;
  const row = (label, key, goal) => {
    const m = ttft[key].median;
    return `| ${label} | ${m.toFixed(0)} | ${(m / cold).toFixed(2)} × | ${goal} |`;
  };
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const cpus = os.cpus();
  return [
    "## Claude Code start-up (`npm run bench:claude`)",
    "",
    `- Date: ${new Date().toISOString()}; ${cpus.length} × ${cpus[0]?.model ?? "?"}, Node ${process.version}`,
    "- The real `claude` (the Agent SDK's) against the tests' fake Anthropic API, which answers at once; " +
      `time to first token, median of ${runs} runs each, all measured in this one run.`,
    "",
    "| turn | TTFT ms | vs cold `claude -p` | goal |",
    "| --- | ---: | ---: | --- |",
    row("cold `claude -p` (the CLI started for one prompt)", "cold", "—"),
    row("through cc-bridge, new process (no spare, no warm process)", "coldGateway", "—"),
    row("through cc-bridge, stateless request on a spare", "spare", "≤ 0.2 ×"),
    row("through cc-bridge, a session's first turn on a spare", "spareSession", "≤ 0.2 ×"),
    row("through cc-bridge, a session's later turn (warm process)", "warm", "≤ 0.1 ×"),
    "",
    `Resident memory: an idle session process ${mib(memory.idle)}, a ready spare ${mib(memory.spare)}.`,
    "",
  ].join("\n");
}
