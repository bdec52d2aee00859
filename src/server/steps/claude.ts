// Claude Code's steps, read from the Agent SDK's messages of a turn (the same messages turn.ts turns
// into the answer): each API call Claude Code made (a `stream_event` message_start…message_stop, or a
// whole `assistant` message when it was not streamed), each tool_use block it sent (its own tools, the
// client's `mcp__client__*`, a sub-agent's), ended by the matching `tool_result` in a `user` message.
// A sub-agent's messages carry `parent_tool_use_id`: its steps go under the Task/Agent call that started it.
import type { StepLog } from "./log";
import { resultBytes, summarize, writtenPath } from "./summary";
import type { Step } from "./types";

interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}
type Block = {
  type?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  is_error?: boolean;
  content?: unknown;
};
interface Message {
  type?: string;
  parent_tool_use_id?: string | null;
  session_id?: string;
  event?: { type?: string; message?: { id?: string; model?: string; usage?: Usage }; usage?: Usage };
  message?: { id?: string; model?: string; usage?: Usage; content?: unknown };
}

const inputOf = (u: Usage | undefined) =>
  u ? (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) : null;

export class ClaudeSteps {
  /** Model calls by API message id; tool calls by tool_use id. */
  private readonly models = new Map<string, Step>();
  private readonly tools = new Map<string, Step>();
  /** The model call streaming now, per agent (top level: ""). */
  private readonly streaming = new Map<string, Step>();
  private lastAt = Date.now();
  private readonly turn;

  constructor(
    private readonly log: StepLog,
    model: string | null,
    sessionId: string | null,
  ) {
    this.turn = { startedAt: Date.now(), endedAt: null as number | null, sessionId, model };
    log.turns.push(this.turn);
  }

  /** Reads one SDK message of the turn. Never throws. */
  push(raw: unknown): void {
    try {
      this.read(raw as Message);
    } catch {}
    this.lastAt = Date.now();
  }

  /** The leg ended: steps still open end now (a client tool waits for its caller: no outcome here). */
  end(sessionId: string | null, model: string | null): void {
    const now = Date.now();
    for (const s of this.log.steps) if (s.durationMs === null) this.finish(s, now);
    this.turn.endedAt = now;
    this.turn.sessionId = sessionId ?? this.turn.sessionId;
    this.turn.model = model ?? this.turn.model;
  }

  private read(m: Message): void {
    if (m.session_id) this.turn.sessionId = m.session_id;
    const agent = m.parent_tool_use_id ?? "";
    const parentSeq = agent ? (this.tools.get(agent)?.seq ?? null) : null;
    if (m.type === "stream_event") this.onEvent(m.event ?? {}, agent, parentSeq);
    else if (m.type === "assistant") this.onAssistant(m.message ?? {}, parentSeq);
    else if (m.type === "user") this.onUser(m.message ?? {});
  }

  private onEvent(e: NonNullable<Message["event"]>, agent: string, parentSeq: number | null): void {
    if (e.type === "message_start") {
      const id = e.message?.id;
      // The API call began when the message before it came (a tool's result, the turn's start).
      const step = this.model(e.message?.model ?? null, e.message?.usage, this.lastAt, parentSeq);
      if (!step) return;
      if (id) this.models.set(id, step);
      this.streaming.set(agent, step);
    } else if (e.type === "message_delta") {
      const step = this.streaming.get(agent);
      if (step && typeof e.usage?.output_tokens === "number") step.outputTokens = e.usage.output_tokens;
    } else if (e.type === "message_stop") {
      const step = this.streaming.get(agent);
      this.streaming.delete(agent);
      if (step) this.finish(step, Date.now());
    }
  }

  private onAssistant(msg: NonNullable<Message["message"]>, parentSeq: number | null): void {
    if (msg.model === "<synthetic>") return;
    const now = Date.now();
    const id = msg.id;
    let call = id ? this.models.get(id) : undefined;
    if (!call) {
      // Not streamed (a sub-agent's call, or a retry without streaming): it ran since the last message.
      call = this.model(msg.model ?? null, msg.usage, this.lastAt, parentSeq) ?? undefined;
      if (call) {
        if (id) this.models.set(id, call);
        call.outputTokens = msg.usage?.output_tokens ?? null;
        this.finish(call, now);
      }
    } else if (call.outputTokens === null && typeof msg.usage?.output_tokens === "number") {
      call.outputTokens = msg.usage.output_tokens;
    }
    if (!Array.isArray(msg.content)) return;
    for (const b of msg.content as Block[]) {
      if (b?.type !== "tool_use" || !b.id || this.tools.has(b.id)) continue;
      const tool = b.name ?? "tool";
      const step = this.log.add({
        parentSeq,
        kind: "tool",
        tool,
        callId: b.id,
        summary: summarize(b.input),
        outcome: null,
        resultBytes: null,
        startedAt: now,
        durationMs: null,
        model: null,
        inputTokens: null,
        outputTokens: null,
        path: writtenPath(tool, b.input),
      });
      if (step) this.tools.set(b.id, step);
    }
  }

  private onUser(msg: NonNullable<Message["message"]>): void {
    if (!Array.isArray(msg.content)) return;
    const now = Date.now();
    for (const b of msg.content as Block[]) {
      if (b?.type !== "tool_result" || !b.tool_use_id) continue;
      const step = this.tools.get(b.tool_use_id);
      if (!step || step.outcome !== null) continue;
      step.outcome = b.is_error ? "error" : "ok";
      step.resultBytes = resultBytes(b.content);
      this.finish(step, now);
    }
  }

  private model(model: string | null, usage: Usage | undefined, at: number, parentSeq: number | null): Step | null {
    return this.log.add({
      parentSeq,
      kind: "model",
      tool: null,
      callId: null,
      summary: null,
      outcome: null,
      resultBytes: null,
      startedAt: at,
      durationMs: null,
      model,
      inputTokens: inputOf(usage),
      outputTokens: typeof usage?.output_tokens === "number" && usage.output_tokens > 0 ? usage.output_tokens : null,
      path: null,
    });
  }

  private finish(step: Step, at: number): void {
    if (step.durationMs !== null) return;
    step.durationMs = Math.max(0, at - step.startedAt);
    this.log.notify(step, "end");
  }
}
