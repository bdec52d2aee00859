// `npm test`: install what is missing, then lint and run every test (browser ones included).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureDeps, ensurePrismaClient, root } from "./lib.mjs";
import { ensureSandboxPackages } from "./sandbox-packages.mjs";
import { summarize } from "./summary.mjs";

ensureDeps();
ensurePrismaClient();
ensureSandboxPackages();
const reportFile = path.join(root, "test-artifacts", "vitest.json");
fs.rmSync(reportFile, { force: true }); // never summarize a previous run's report
const bin = (p) => path.join(root, "node_modules", p);
const steps = [
  ["biome", [bin("@biomejs/biome/bin/biome"), "ci", "--colors=off", "."]],
  ["typecheck", [bin("typescript/bin/tsc"), "--noEmit", "-p", "."]],
  [
    "vitest",
    [
      bin("vitest/vitest.mjs"),
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${reportFile}`,
      ...process.argv.slice(2),
    ],
  ],
];

/** The summary line, with a file that failed to load counted as a failure (scripts/summary.mjs). */
function summary() {
  try {
    return summarize(JSON.parse(fs.readFileSync(reportFile, "utf8")), root);
  } catch {
    return { line: "vitest wrote no report: the run failed (see above)", failed: 1, ok: false };
  }
}

for (const [name, args] of steps) {
  console.log(`\n== ${name}`);
  const res = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  let status = res.status;
  if (name === "vitest") {
    const s = summary();
    console.log(`\n${s.line}`);
    if (!s.ok && status === 0) status = 1;
  }
  if (status !== 0) {
    console.error(`npm test: ${name} failed`);
    process.exit(status || 1);
  }
}
