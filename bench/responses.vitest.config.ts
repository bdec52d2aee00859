import path from "node:path";
import { defineConfig } from "vitest/config";

// Runs bench/responses.perf.ts against the built app (the tests' global set-up builds it and makes
// the template database). Not part of `npm test`:
//   npx vitest run --config bench/responses.vitest.config.ts
const root = path.resolve(import.meta.dirname, "..");

export default defineConfig({
  root,
  resolve: { alias: { "@": path.join(root, "src") } },
  test: {
    include: ["bench/responses.perf.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    maxWorkers: 1,
    reporters: ["default"],
  },
});
