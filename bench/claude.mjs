// `npm run bench:claude`: Claude Code's time to first token cold, on a spare, on a reused process and
// on a warm session process, stateless requests at several gaps and in bursts, all measured side by
// side in one run (bench/claude.perf.ts), plus the memory of idle processes and the load average.
// Prints the tables and writes them to bench/results.md (copy them into docs/benchmarks.md).
//   node bench/claude.mjs [--runs 7]
import os from "node:os";
import { runAppBench } from "./results.mjs";

const i = process.argv.indexOf("--runs");
runAppBench("claude", i > 0 ? Number(process.argv[i + 1]) : 7, report);

function report({ ttft, gaps, burst, memory, clearMs, runs, series, load }) {
  const cold = ttft.cold.median;
  const x = (ms) => `${(ms / cold).toFixed(2)} ×`;
  const row = (label, key, goal) => `| ${label} | ${ttft[key].median.toFixed(0)} | ${x(ttft[key].median)} | ${goal} |`;
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const each = (xs) => xs.map((v) => v.toFixed(0)).join(", ");
  const gapName = (g) => (g === 0 ? "none" : `${g / 1000} s`);
  const cpus = os.cpus();
  const avg = (l) => l.map((v) => v.toFixed(1)).join(" / ");
  const slowest = (xs) => Math.max(...xs);
  return [
    "## Claude Code start-up and load (`npm run bench:claude`)",
    "",
    `- Date: ${new Date().toISOString()}; ${cpus.length} × ${cpus[0]?.model ?? "?"}, Node ${process.version}; load average (1 / 5 / 15 min) ${avg(load.start)} at the start, ${avg(load.end)} at the end.`,
    "- The real `claude` (the Agent SDK's) against the tests' fake Anthropic API, which answers at once; " +
      `time to first token, all measured in this one run; ratios against the cold \`claude -p\` of the same run (median of ${runs}).`,
    "",
    "| turn | TTFT ms | vs cold `claude -p` | goal |",
    "| --- | ---: | ---: | --- |",
    row("cold `claude -p` (the CLI started for one prompt)", "cold", "—"),
    row("through cc-bridge, new process (no spare, no reuse)", "coldGateway", "—"),
    row("through cc-bridge, stateless request on a spare", "spare", "—"),
    row("through cc-bridge, stateless request on a reused (cleared) process", "reused", "—"),
    row("through cc-bridge, a session's first turn on a spare", "spareSession", "≤ 0.2 ×"),
    row("through cc-bridge, a session's first turn after stateless requests (a new process)", "reusedSession", "—"),
    row("through cc-bridge, a session's later turn (warm process)", "warm", "≤ 0.1 ×"),
    "",
    `Stateless requests one after the other (${series} per gap, each gap on a fresh gateway with the default configuration: ` +
      "`CLAUDE_SPARES=1`, `CLAUDE_SPARES_MAX=4`), and bursts of 4 at once. Goals: median ≤ 0.3 × and p95 ≤ 1.0 × cold at every gap; " +
      "the slowest first token of a burst ≤ 1.0 × cold.",
    "",
    "| gap between requests | median TTFT | × cold | p95 | × cold | each request (ms) |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    ...gaps.map(
      (g) =>
        `| ${gapName(g.gap)} | ${g.median.toFixed(0)} ms | ${x(g.median)} | ${g.p95.toFixed(0)} ms | ${x(g.p95)} | ${each(g.runs)} |`,
    ),
    `| a burst of 4 at once, after the gap-less series | — | — | ${slowest(burst.steady).toFixed(0)} ms (slowest) | ${x(slowest(burst.steady))} | ${each(burst.steady)} |`,
    `| a burst of 4 at once, on an idle gateway (nothing measured yet) | — | — | ${slowest(burst.idle).toFixed(0)} ms (slowest) | ${x(slowest(burst.idle))} | ${each(burst.idle)} |`,
    `| the same burst on that gateway 5 s later | — | — | ${slowest(burst.again).toFixed(0)} ms (slowest) | ${x(slowest(burst.again))} | ${each(burst.again)} |`,
    `| a burst of 4 at once, on an idle gateway with \`CLAUDE_SPARES=2\` | — | — | ${slowest(burst.idleTwo).toFixed(0)} ms (slowest) | ${x(slowest(burst.idleTwo))} | ${each(burst.idleTwo)} |`,
    "",
    `A \`/clear\` between two stateless requests (no API call) took ${clearMs} ms (the pool's moving average over ${2 * runs + 1} of them). ` +
      `Resident memory: an idle session process ${mib(memory.idle)}, a ready spare ${mib(memory.spare)}, a process reused for the gap-less series (${series} requests, cleared after each) ${mib(memory.reused)}.`,
    "",
  ].join("\n");
}
