import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");

/**
 * The vitest configuration of a benchmark (never part of `npm test`): the app's path aliases, one
 * worker, long timeouts. `globalSetup` for benchmarks that start the built app (it builds when stale
 * and makes the template database).
 */
export function benchConfig(include: string[], opts: { globalSetup?: string[] } = {}) {
  return defineConfig({
    root,
    resolve: {
      alias: {
        "@": path.join(root, "src"),
        "server-only": path.join(root, "tests/helpers/server-only.ts"),
      },
    },
    test: {
      include,
      ...(opts.globalSetup ? { globalSetup: opts.globalSetup } : {}),
      testTimeout: 1_800_000,
      hookTimeout: 1_800_000,
      pool: "forks",
      maxWorkers: 1,
      reporters: ["default"],
    },
  });
}
