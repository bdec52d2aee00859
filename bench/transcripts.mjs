// `npm run bench:transcripts`: what mirroring a session's Claude Code transcript to the database adds
// to a warm session's turn (bench/transcripts.perf.ts), CLAUDE_TRANSCRIPTS=database against local, side
// by side in one run. Prints the table and writes it to bench/results.md (copy it into docs/benchmarks.md).
//   node bench/transcripts.mjs [--runs 40]
import os from "node:os";
import { runAppBench } from "./results.mjs";

const i = process.argv.indexOf("--runs");
runAppBench("transcripts", i > 0 ? Number(process.argv[i + 1]) : 40, report);

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
