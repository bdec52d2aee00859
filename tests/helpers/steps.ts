/** Steps as a provider records them (src/server/steps/): `tools` tool calls, each after a model call. */
import type { Step } from "../../src/server/steps/types";

export function stepsOfRun(tools: number, at = Date.UTC(2026, 0, 10, 12, 30, 0)): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < tools; i++) {
    const base = { parentSeq: null, durationMs: 5, startedAt: at + i * 10, resultBytes: null, path: null };
    out.push({
      ...base,
      seq: out.length + 1,
      kind: "model",
      tool: null,
      callId: null,
      summary: null,
      outcome: null,
      model: "claude-sonnet",
      inputTokens: 100,
      outputTokens: 20,
    });
    out.push({
      ...base,
      seq: out.length + 1,
      kind: "tool",
      tool: i % 2 ? "Bash" : "Write",
      callId: `toolu_${i}`,
      summary: i % 2 ? `echo ${i}` : `f${i}.txt`,
      outcome: i % 7 === 3 ? "error" : "ok",
      resultBytes: 10 + i,
      model: null,
      inputTokens: null,
      outputTokens: null,
      path: i % 2 ? null : `/w/f${i}.txt`,
    });
  }
  return out;
}
