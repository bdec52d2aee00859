import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../openai/schemas";
import type { StoredSession } from "../sessions/store";
import { planMessages } from "./messages";

const history: ChatMessage[] = [
  { role: "user", content: "first" },
  { role: "assistant", content: "answer" },
];
const session = (upstreamSessionId: string | null): StoredSession => ({
  id: "s",
  provider: "claude-code",
  model: "claude-code",
  upstreamSessionId,
  systemPrompt: "sys",
  turnCount: 1,
  history,
});
const fresh: ChatMessage[] = [{ role: "user", content: "next" }];

describe("planMessages", () => {
  it("sends only the new messages to a provider that keeps its own history (a resumed Claude session)", () => {
    expect(planMessages(fresh, session("claude-uuid"), false, true).send).toEqual(fresh);
  });

  it("sends the stored history to such a provider when the session has no upstream conversation yet (a fork)", () => {
    const plan = planMessages(fresh, session(null), false, true);
    expect(plan.send).toEqual([{ role: "system", content: "sys" }, ...history, ...fresh]);
    expect(plan.fresh).toEqual(fresh);
  });

  it("replays history for a provider that does not keep it (Ollama), and nothing without a session", () => {
    expect(planMessages(fresh, session(null), true, true).send).toHaveLength(4);
    expect(planMessages(fresh, null, true, false).send).toEqual(fresh);
  });
});
