// `npm test`: install what is missing, then lint and run every test (browser ones included).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureDeps, ensurePrismaClient, root } from "./lib.mjs";

ensureDeps();
ensurePrismaClient();
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
      `--outputFile.json=${path.join(root, "test-artifacts", "vitest.json")}`,
      ...process.argv.slice(2),
    ],
  ],
];
function summary() {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(root, "test-artifacts", "vitest.json"), "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    return `${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`;
  } catch {
    return null;
  }
}

for (const [name, args] of steps) {
  console.log(`\n== ${name}`);
  const res = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (name === "vitest" && summary()) console.log(`\n${summary()}`);
  if (res.status !== 0) {
    console.error(`npm test: ${name} failed`);
    process.exit(res.status || 1);
  }
}
