import "server-only";
import { env } from "../../env";
import { badRequest } from "../../openai/errors";
import type { ChatMessage } from "../../openai/schemas";
import type { TokenUsage } from "../types";
import type { LiveProcess } from "./live";
import type { TurnEvents } from "./turn-events";

/**
 * A Claude turn paused between two HTTP legs of a tool loop: Claude called the client's tools, the
 * leg answered `tool_calls`, and the process waits (its tool handlers blocked) for the client's
 * next request to bring the results, matched by tool_call id. Ended after CLAUDE_TOOL_WAIT_MS.
 */
export interface PausedTurn {
  proc: LiveProcess;
  events: TurnEvents;
  /** The tool_call ids the client must answer. */
  ids: string[];
  pausedAt: number;
  /** The record of the leg that paused (the next leg links to it). */
  requestId: string | null;
  /** The client's session, if any: the process becomes its warm process when the turn ends. */
  sessionId: string | null;
  /** Claude's running cost total before the turn, and the usage the earlier legs recorded. */
  costBase: number;
  usageSoFar: TokenUsage;
  timer?: ReturnType<typeof setTimeout>;
}

const g = globalThis as unknown as { __ccBridgePaused?: Map<string, PausedTurn> };
g.__ccBridgePaused ??= new Map();
const paused: Map<string, PausedTurn> = g.__ccBridgePaused;

/** Called when a paused turn expires, with how long it waited (the lead records it on the leg). */
type OnExpire = (turn: PausedTurn, waitedMs: number) => void;

export function pauseTurn(turn: PausedTurn, onExpire: OnExpire): void {
  for (const id of turn.ids) paused.set(id, turn);
  turn.timer = setTimeout(() => {
    if (!release(turn)) return;
    turn.proc.waits.abandon();
    void turn.proc.close();
    onExpire(turn, Date.now() - turn.pausedAt);
  }, env().CLAUDE_TOOL_WAIT_MS);
  turn.timer.unref?.();
  void turn.proc.exited.then(() => release(turn));
}

function release(turn: PausedTurn): boolean {
  clearTimeout(turn.timer);
  let had = false;
  for (const id of turn.ids) had = paused.delete(id) || had;
  return had;
}

/** The tool results at the end of a conversation: tool messages after the last assistant message. */
function trailingResults(messages: ChatMessage[]): Array<{ index: number; id: string; text: string }> {
  const out: Array<{ index: number; id: string; text: string }> = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== "tool") break;
    const content = m.content;
    const text =
      typeof content === "string" ? content : (content ?? []).map((p) => ("text" in p ? p.text : "")).join("");
    out.unshift({ index: i, id: m.tool_call_id, text });
  }
  return out;
}

/**
 * Checks the tool results a request sends: each names a tool call of the conversation (else 400
 * naming `messages[i].tool_call_id`). Returns the paused turn they answer, taken out of the registry,
 * with the results handed to its waiting tool handlers; or null when no paused turn has them (a
 * gateway restart, an expired wait): the caller rebuilds the turn from the messages.
 */
export function resumePaused(messages: ChatMessage[], offset = 0): { turn: PausedTurn; waitedMs: number } | null {
  const results = trailingResults(messages);
  if (results.length === 0) return null;
  const known = new Set(messages.flatMap((m) => (m.role === "assistant" ? (m.tool_calls ?? []).map((c) => c.id) : [])));
  for (const r of results) {
    if (!known.has(r.id) && !paused.has(r.id)) {
      throw badRequest(
        `messages[${r.index + offset}].tool_call_id "${r.id.slice(0, 80)}" does not answer any tool call of this conversation.`,
        `messages[${r.index + offset}].tool_call_id`,
        "invalid_tool_call_id",
      );
    }
  }
  const turn = paused.get(results[0]?.id ?? "");
  if (!turn) return null;
  const answered = new Set(results.map((r) => r.id));
  const missing = turn.ids.filter((id) => !answered.has(id));
  if (missing.length) {
    throw badRequest(
      `Each tool call needs a tool message with its result; missing: ${missing.join(", ").slice(0, 200)}.`,
      "messages",
      "missing_tool_results",
    );
  }
  release(turn);
  for (const r of results) if (turn.ids.includes(r.id)) turn.proc.waits.answer(r.id, { text: r.text });
  return { turn, waitedMs: Date.now() - turn.pausedAt };
}

/** The processes of the turns that wait for their clients now (for /health and metrics). */
export const pausedProcesses = (): LiveProcess[] => [...new Set(paused.values())].map((t) => t.proc);

/** Ends every paused turn (shutdown). */
export async function closePaused(): Promise<void> {
  const turns = [...new Set(paused.values())];
  for (const t of turns) release(t);
  await Promise.all(turns.map((t) => t.proc.close()));
}
