import path from "node:path";
import { defineConfig } from "vitest/config";

// Two projects, so that a run of unit tests only never builds the app: each project's global set-up
// runs only when a file of that project is in the run.
export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname, "src"),
      // Unit tests import server modules directly; "server-only" only guards client bundles.
      "server-only": path.resolve(import.meta.dirname, "tests/helpers/server-only.ts"),
    },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "tests/unit/**/*.test.ts"],
          globalSetup: ["tests/helpers/global-setup.ts"],
        },
      },
      {
        // Everything that starts the built app (integration, browser): the set-up builds it when stale.
        extends: true,
        test: {
          name: "app",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/unit/**"],
          globalSetup: ["tests/helpers/build-setup.ts", "tests/helpers/global-setup.ts"],
        },
      },
    ],
  },
});
