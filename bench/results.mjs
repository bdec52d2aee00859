// bench/results.md holds one section per benchmark, each between its own markers, so every
// benchmark rewrites only its own table. Biome formats Markdown (aligned tables): keep the file as
// `npm run lint` wants it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { root } from "../scripts/lib.mjs";

const file = path.join(root, "bench", "results.md");

/** Replaces (or appends) the section `id` of bench/results.md with `markdown`. */
export function writeSection(id, markdown) {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const block = `${start}\n\n${markdown.trim()}\n\n${end}`;
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmark results\n";
  const a = old.indexOf(start);
  const b = old.indexOf(end);
  const next = a >= 0 && b > a ? old.slice(0, a) + block + old.slice(b + end.length) : `${old.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, next);
  spawnSync(process.execPath, [path.join(root, "node_modules/@biomejs/biome/bin/biome"), "format", "--write", file], {
    cwd: root,
    stdio: "ignore",
  });
}

/** Runs one benchmark file (bench/*.perf.ts) with vitest and the bench configuration; true when it passed. */
export function runPerf(file, env = {}) {
  const res = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--config", "bench/vitest.config.ts", file],
    { cwd: root, stdio: "inherit", env: { ...process.env, ...env } },
  );
  return res.status === 0;
}
