/** The Codex CLI (`@openai/codex`, its bundled binary) pointed at a gateway, in a CODEX_HOME of its own. */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const codexBin = path.resolve(import.meta.dirname, "../../node_modules/@openai/codex/bin/codex.js");

/** Writes `config.toml` in `home`: a custom provider on the gateway with `wire_api = "responses"`. */
export function writeCodexConfig(home: string, gatewayUrl: string, model: string): void {
  fs.writeFileSync(
    path.join(home, "config.toml"),
    [
      `model = "${model}"`,
      'model_provider = "ccbridge"',
      "",
      "[model_providers.ccbridge]",
      'name = "cc-bridge"',
      `base_url = "${gatewayUrl}/v1"`,
      'env_key = "CCBRIDGE_API_KEY"',
      'wire_api = "responses"',
      "",
    ].join("\n"),
  );
}

/** Runs `codex exec` with no stdin (else it waits for more); resolves with its exit code and output. */
export function codexExec(
  home: string,
  prompt: string,
  apiKey: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Codex's own sandbox mode, chosen here: with bubblewrap on PATH it would switch its Linux sandbox
    // on, which needs a helper binary its npm package does not ship (`bwrap: execvp codex-linux-sandbox`).
    // The test's CODEX_HOME is a temp folder of its own, so its commands need no sandbox.
    const args = [codexBin, "exec", "--skip-git-repo-check", "--sandbox", "danger-full-access", prompt];
    const child = spawn(process.execPath, args, {
      cwd: home,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        CODEX_HOME: home,
        CCBRIDGE_API_KEY: apiKey,
        RUST_LOG: "warn",
        NO_COLOR: "1",
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
