/**
 * The Codex CLI driving a Claude Code model through the gateway (Responses API → the Claude
 * provider's function calling): the real `codex exec` and the real `claude` against the fake
 * Anthropic API, which calls Codex's own `exec_command` tool; Codex runs it and Claude's turn goes on.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { lastToolResults } from "../fakes/anthropic";
import { type ClaudeSetup, startClaudeGateway, turnPids } from "../helpers/claude";
import { eventually } from "../helpers/gateway";

const codexBin = path.resolve(import.meta.dirname, "../../node_modules/@openai/codex/bin/codex.js");
let c: ClaudeSetup;
let home: string;

beforeAll(async () => {
  c = await startClaudeGateway();
  home = fs.mkdtempSync(path.join(inject("tmpRoot"), "codex-claude-"));
  fs.writeFileSync(
    path.join(home, "config.toml"),
    [
      'model = "claude-code"',
      'model_provider = "ccbridge"',
      "[model_providers.ccbridge]",
      'name = "cc-bridge"',
      `base_url = "${c.gw.url}/v1"`,
      'env_key = "CCBRIDGE_API_KEY"',
      'wire_api = "responses"',
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await c?.close();
});

function codexExec(prompt: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [codexBin, "exec", "--skip-git-repo-check", prompt], {
      cwd: home,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        CODEX_HOME: home,
        CCBRIDGE_API_KEY: "unused",
        NO_COLOR: "1",
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("codex exec on claude-code", () => {
  it("Claude calls Codex's exec_command, Codex runs it, the same Claude turn answers with its output", async () => {
    c.fake.setScript((req) => {
      const results = lastToolResults(req.body);
      if (results.length)
        return { type: "reply", text: `Codex ran it: ${results[0]?.text.includes("claude-was-here")}` };
      const offered = (req.body.tools ?? []).some((t: { name: string }) => t.name.endsWith("__exec_command"));
      return offered
        ? { type: "reply", text: "", toolUses: [{ name: "exec_command", input: { cmd: "echo claude-was-here" } }] }
        : undefined;
    });
    try {
      const run = await codexExec("Run echo for me");
      expect(run.code, run.out).toBe(0);
      expect(run.out).toContain("Codex ran it: true");
      const legs = c.gw.records().filter((r) => r.endpoint === "/v1/responses");
      expect(legs.map((r) => r.finishReason)).toEqual(["tool_calls", "stop"]);
      expect(legs[1].parentRequestId).toBe(legs[0].id);
      await eventually(async () => (await turnPids(c)).length === 0, 5_000);
    } finally {
      c.fake.setScript(undefined);
    }
  });
});
