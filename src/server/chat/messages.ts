/** Which messages go upstream and which are stored, for a request with or without a session. */

import { textOf } from "../openai/content";
import type { ChatMessage } from "../openai/schemas";
import type { StoredSession } from "../sessions/store";

export interface MessagePlan {
  /** What the provider receives. */
  send: ChatMessage[];
  /** The client's new non-system messages, stored with the answer after a successful turn. */
  fresh: ChatMessage[];
  /** The session's system prompt after this turn. */
  systemPrompt: string | null;
}

const isSystem = (m: ChatMessage) => m.role === "system" || m.role === "developer";

export function planMessages(
  messages: ChatMessage[],
  session: StoredSession | null,
  replaysHistory: boolean,
  hasSession: boolean,
): MessagePlan {
  const system = messages.filter(isSystem);
  const fresh = messages.filter((m) => !isSystem(m));
  const systemPrompt = system.length
    ? system.map((m) => textOf(m.content)).join("\n\n")
    : (session?.systemPrompt ?? null);
  // A provider that keeps its own history (Claude Code) still gets the stored one when the session
  // has history but no upstream conversation yet (a session forked from an earlier turn).
  const rebuild = session != null && session.upstreamSessionId == null && session.history.length > 0;
  if (!hasSession || (!replaysHistory && !rebuild)) return { send: messages, fresh, systemPrompt };
  // A session replays its stored history: the system prompt first, then history, then what is new.
  const head: ChatMessage[] = systemPrompt ? [{ role: "system", content: systemPrompt }] : [];
  return { send: [...head, ...(session?.history ?? []), ...fresh], fresh, systemPrompt };
}

/** A short title for a session: its first user message. */
export function titleOf(messages: ChatMessage[]): string {
  const first = messages.find((m) => m.role === "user");
  return first ? textOf(first.content).replace(/\s+/g, " ").trim().slice(0, 120) : "";
}
