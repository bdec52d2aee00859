import path from "node:path";
import { defineConfig } from "vitest/config";

// Runs the console query benchmark (bench/console.perf.ts) for bench/run.mjs; not part of `npm test`.
const root = path.resolve(import.meta.dirname, "..");

export default defineConfig({
  root,
  resolve: {
    alias: {
      "@": path.join(root, "src"),
      "server-only": path.join(root, "tests/helpers/server-only.ts"),
    },
  },
  test: {
    include: ["bench/**/*.perf.ts"],
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    pool: "forks",
    maxWorkers: 1,
    reporters: ["default"],
  },
});
