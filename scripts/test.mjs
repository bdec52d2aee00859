// `npm test`: install what is missing, then lint and run every test (browser ones included).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureDeps, ensurePrismaClient, root } from "./lib.mjs";

ensureDeps();
ensurePrismaClient();
const bin = (p) => path.join(root, "node_modules", p);
const steps = [
  ["biome", [bin("@biomejs/biome/bin/biome"), "ci", "."]],
  ["typecheck", [bin("typescript/bin/tsc"), "--noEmit", "-p", "."]],
  ["vitest", [bin("vitest/vitest.mjs"), "run", ...process.argv.slice(2)]],
];
for (const [name, args] of steps) {
  console.log(`\n== ${name}`);
  const res = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (res.status !== 0) {
    console.error(`npm test: ${name} failed`);
    process.exit(res.status || 1);
  }
}
