// The steps of a turn read from Agent SDK messages shaped as the CLI sends them (the integration tests,
// tests/integration/agent-steps.test.ts, read them from the real `claude`): the size bound, summaries,
// a result that never came, a sub-agent's unstreamed calls.
import { describe, expect, it } from "vitest";
import { ClaudeSteps } from "./claude";
import { liveSteps, stepLog, takeSteps } from "./log";
import { summarize, writtenPath } from "./summary";
import { MAX_STEPS, SUMMARY_LIMIT } from "./types";

const toolUse = (id: string, name: string, input: unknown, parent: string | null = null) => ({
  type: "assistant",
  parent_tool_use_id: parent,
  message: {
    id: `msg_${id}`,
    model: "claude-x",
    usage: { input_tokens: 5, output_tokens: 2 },
    content: [{ type: "tool_use", id, name, input }],
  },
});
const result = (id: string, content: unknown, is_error = false) => ({
  type: "user",
  message: { content: [{ type: "tool_result", tool_use_id: id, content, is_error }] },
});

describe("summaries", () => {
  it("names the telling field, the pattern with its path, else the JSON; cut to the bound", () => {
    expect(summarize({ command: "ls -la", description: "list" })).toBe("ls -la");
    expect(summarize({ pattern: "TODO", path: "src" })).toBe("TODO in src");
    expect(summarize({ file_path: "/w/a.txt", content: "x".repeat(10_000) })).toBe("/w/a.txt");
    expect(summarize({ city: "Paris" })).toBe('{"city":"Paris"}');
    const long = summarize({ command: "y".repeat(5_000) });
    expect(long).toHaveLength(SUMMARY_LIMIT);
    expect(long.endsWith("…")).toBe(true);
    expect(writtenPath("Edit", { file_path: "/w/b.ts" })).toBe("/w/b.ts");
    expect(writtenPath("Read", { file_path: "/w/b.ts" })).toBeNull();
  });
});

describe("ClaudeSteps", () => {
  it("keeps MAX_STEPS steps of a request and counts the others", () => {
    const log = stepLog("req_bound");
    const capture = new ClaudeSteps(log, null, null);
    for (let i = 0; i < MAX_STEPS + 10; i++) capture.push(toolUse(`t${i}`, "Bash", { command: `echo ${i}` }));
    expect(log.steps).toHaveLength(MAX_STEPS);
    // each message is a model call (not streamed) and a tool call: half the room each
    expect(log.steps.filter((s) => s.kind === "tool")).toHaveLength(MAX_STEPS / 2);
    expect(log.dropped).toBe(2 * (MAX_STEPS + 10) - MAX_STEPS);
    expect(takeSteps("req_bound")).toBe(log);
    expect(liveSteps("req_bound")).toBeNull();
  });

  it("ends a tool call with its result; a call whose result never came ends with the leg, without an outcome", () => {
    const log = stepLog("req_open");
    const capture = new ClaudeSteps(log, "claude-x", "sess-1");
    capture.push(toolUse("a", "Read", { file_path: "/w/x" }));
    capture.push(result("a", [{ type: "text", text: "héllo" }]));
    capture.push(toolUse("b", "mcp__client__lookup", { q: "x" }));
    expect(liveSteps("req_open")?.map((s) => [s.tool, s.outcome, s.durationMs === null])).toEqual([
      [null, null, false],
      ["Read", "ok", false],
      [null, null, false],
      ["mcp__client__lookup", null, true],
    ]);
    capture.end("sess-1", "claude-x");
    const [, read, , client] = takeSteps("req_open")!.steps;
    expect(read).toMatchObject({ resultBytes: 6, outcome: "ok" });
    expect(client).toMatchObject({ outcome: null, resultBytes: null });
    expect(client!.durationMs).not.toBeNull();
  });

  it("nests a sub-agent's calls under the Agent call that started it; an error result is an error", () => {
    const log = stepLog("req_sub");
    const capture = new ClaudeSteps(log, null, null);
    capture.push(toolUse("ag", "Agent", { description: "d", prompt: "p" }));
    capture.push(toolUse("sb", "Bash", { command: "false" }, "ag"));
    capture.push(result("sb", "Exit code 1", true));
    capture.push(result("ag", "done"));
    const steps = takeSteps("req_sub")!.steps;
    const agent = steps.find((s) => s.tool === "Agent")!;
    expect(steps.filter((s) => s.parentSeq === agent.seq).map((s) => [s.kind, s.tool, s.outcome])).toEqual([
      ["model", null, null],
      ["tool", "Bash", "error"],
    ]);
    expect(agent.outcome).toBe("ok");
  });
});
