/**
 * The Codex CLI driving a Claude Code model through the gateway (Responses API → the Claude
 * provider's function calling): the real `codex exec` and the real `claude` against the fake
 * Anthropic API, which calls Codex's own `exec_command` tool; Codex runs it and Claude's turn goes on.
 * And a turn in which Claude Code runs its own Bash first (CLAUDE_KEEP_BUILTIN_TOOLS): Codex gets that
 * step as an `mcp_call` item (issue 25) and carries on.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { lastToolResults } from "../fakes/anthropic";
import { type ClaudeSetup, startClaudeGateway, turnPids } from "../helpers/claude";
import { codexExec, writeCodexConfig } from "../helpers/codex";
import { eventually } from "../helpers/gateway";
import { query } from "../helpers/seed";

let c: ClaudeSetup;
let home: string;

beforeAll(async () => {
  c = await startClaudeGateway();
  home = fs.mkdtempSync(path.join(inject("tmpRoot"), "codex-claude-"));
  writeCodexConfig(home, c.gw.url, "claude-code");
});
afterAll(async () => {
  await c?.close();
});

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
      const run = await codexExec(home, "Run echo for me", "unused");
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout + run.stderr).toContain("Codex ran it: true");
      const legs = c.gw.records().filter((r) => r.endpoint === "/v1/responses");
      expect(legs.map((r) => r.finishReason)).toEqual(["tool_calls", "stop"]);
      expect(legs[1].parentRequestId).toBe(legs[0].id);
      await eventually(async () => (await turnPids(c)).length === 0, 5_000);
    } finally {
      c.fake.setScript(undefined);
    }
  });
});

describe("codex exec on claude-code, with Claude Code's own steps in the stream", () => {
  let own: ClaudeSetup;
  beforeAll(async () => {
    own = await startClaudeGateway({ CLAUDE_KEEP_BUILTIN_TOOLS: "true", CLAUDE_SPARES: "0" });
  });
  afterAll(async () => {
    await own?.close();
  });

  it("Claude Code runs its own Bash (an mcp_call item to Codex), then answers; codex exec ends well", async () => {
    own.fake.setScript((req) => {
      const results = lastToolResults(req.body);
      if (results.length) return { type: "reply", text: `Own step said: ${results[0]?.text.trim()}` };
      return { type: "reply", text: "", toolUses: [{ name: "Bash", input: { command: "echo own-step-ran" } }] };
    });
    const home2 = fs.mkdtempSync(path.join(inject("tmpRoot"), "codex-own-"));
    writeCodexConfig(home2, own.gw.url, "claude-code");
    const run = await codexExec(home2, "Check the folder", "unused");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toContain("Own step said: own-step-ran");
    const legs = own.gw.records().filter((r) => r.endpoint === "/v1/responses");
    expect(legs.map((r) => r.status)).toEqual(["ok"]);
    // The step Codex got as an mcp_call item (a Claude Code tool that ran and ended on the server).
    expect(query(own.gw.dbPath, `SELECT tool, outcome FROM RequestStep WHERE kind = 'tool'`)).toEqual([
      { tool: "Bash", outcome: "ok" },
    ]);
  });
});
