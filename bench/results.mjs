// bench/results.md holds one section per benchmark, each between its own markers, so every
// benchmark rewrites only its own table. Biome formats Markdown (aligned tables): keep the file as
// `npm run lint` wants it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuild, ensureDeps, ensurePrismaClient, migrate, root } from "../scripts/lib.mjs";

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

/**
 * Runs a benchmark of the built app (`bench/<id>.perf.ts`, given a freshly migrated template database
 * in BENCH_DB, the runs in BENCH_RUNS, writing its figures as JSON to BENCH_OUT), then prints `report`'s
 * Markdown of them and writes it to the `id` section of bench/results.md.
 */
export function runAppBench(id, runs, report) {
  ensureDeps();
  ensurePrismaClient();
  ensureBuild();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-bench-"));
  try {
    const db = path.join(dir, "template.db");
    migrate(db);
    const out = path.join(dir, `${id}.json`);
    const ok = runPerf(`bench/${id}.perf.ts`, { BENCH_DB: db, BENCH_OUT: out, BENCH_RUNS: String(runs) });
    if (!ok || !fs.existsSync(out)) {
      console.error(`bench:${id}: the run failed`);
      process.exit(1);
    }
    const md = report(JSON.parse(fs.readFileSync(out, "utf8")));
    console.log(`\n${md}`);
    writeSection(id, md);
    console.log(`bench:${id}: written to bench/results.md (copy the table into docs/benchmarks.md)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
