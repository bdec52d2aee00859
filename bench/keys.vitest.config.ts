import path from "node:path";
import { defineConfig } from "vitest/config";

// `npx vitest run --config bench/keys.vitest.config.ts`: the cost of API keys per request (not part of npm test).
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
    include: ["bench/keys.perf.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 1,
  },
});
