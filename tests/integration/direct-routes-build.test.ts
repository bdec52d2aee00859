/**
 * The API paths scripts/direct-routes.mjs serves straight from their compiled route handlers, loaded
 * from the real build exactly as the server loads them (scripts/serve.mjs `loadApp`). A path that
 * cannot be loaded that way (a Next.js upgrade that changes `routeModule.userland`, say) only logs a
 * warning at start and goes through Next.js, which every other test passes through unnoticed: here
 * it fails the suite.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs module without types
import { DIRECT_PATHS } from "../../scripts/direct-routes.mjs";
import { tempDb } from "../helpers/gateway";

const root = path.resolve(import.meta.dirname, "../..");
const MARK = "DIRECT-ROUTES ";

/** Runs loadApp in a process of its own, as `node scripts/serve.mjs` would, and reports the paths it loaded. */
async function loadFromBuild(): Promise<{ loaded: string[]; output: string }> {
  const serve = pathToFileURL(path.join(root, "scripts/serve.mjs")).href;
  const script = `
    const { loadApp } = await import(${JSON.stringify(serve)});
    const { direct } = await loadApp({ port: 0, host: "127.0.0.1" });
    process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify([...direct.keys()]) + "\\n");
    process.exit(0);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      USAGE_DB_PATH: tempDb(),
      OLLAMA_URL: "http://127.0.0.1:1",
      CLAUDE_BIN: "/nonexistent/claude",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += String(d);
  });
  child.stderr.on("data", (d) => {
    output += String(d);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
  const code = await new Promise((r) => child.once("close", r)).finally(() => clearTimeout(timer));
  expect(code, output).toBe(0);
  const line = output.split("\n").find((l) => l.startsWith(MARK));
  expect(line, output).toBeDefined();
  return { loaded: JSON.parse(line!.slice(MARK.length)), output };
}

describe("direct routes in the build", () => {
  it("every path of DIRECT_PATHS is loaded from the build's route module, none left to Next.js", async () => {
    const { loaded, output } = await loadFromBuild();
    // The warning loadDirectRoutes prints names each path it could not load, and why.
    expect(output).not.toContain("routes served through Next.js instead of directly");
    expect(loaded, output).toEqual(DIRECT_PATHS);
  });

  it("DIRECT_PATHS is the build's /v1 routes without a dynamic segment", () => {
    // A new static /v1 route (say /v1/messages) fails here until it is added to DIRECT_PATHS.
    const manifest = JSON.parse(fs.readFileSync(path.join(root, ".next/app-path-routes-manifest.json"), "utf8"));
    const built = Object.values(manifest as Record<string, string>)
      .filter((p) => (p === "/v1" || p.startsWith("/v1/")) && !p.includes("["))
      .sort();
    expect(built).toContain("/v1/chat/completions");
    expect([...DIRECT_PATHS].sort()).toEqual(built);
  });
});
