import "server-only";
import type { Options, Query, SDKMessage, SDKUserMessage, SpawnedProcess } from "@anthropic-ai/claude-agent-sdk";
import { brand } from "../../brand";
import { noteLoginSource, notePlanEvent } from "../../claude-plan/state";
import { log } from "../../log";
import { ToolWaits } from "./client-tools";
import { configDirOf } from "./local-files";
import { holdTranscript, settleTranscripts } from "./local-transcripts";
import type { ClaudeBlock } from "./prompt";
import { endProcess, envOf, pidOf, processExit, residentBytes, spawnClaude, stderrTail } from "./spawn";

/** The messages written to a live process: one user message per turn, for as long as it lives. */
class Inbox implements AsyncIterable<SDKUserMessage> {
  private readonly queue: SDKUserMessage[] = [];
  private wake: (() => void) | null = null;
  private ended = false;

  /**
   * A caller's words go with `client_composed`: the CLI takes them as written, with no slash-command
   * dispatch (a caller's "/clear" or "/init" is text for Claude, not a command) and no `@path`
   * expansion (a caller's "@/etc/passwd" attaches no file). Only the gateway's own commands go without it.
   */
  push(blocks: ClaudeBlock[], command = false): void {
    this.queue.push({
      type: "user",
      message: { role: "user", content: blocks },
      parent_tool_use_id: null,
      session_id: "",
      ...(command ? {} : { client_composed: true }),
    } as SDKUserMessage);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SDKUserMessage> {
    for (;;) {
      while (this.queue.length) yield this.queue.shift() as SDKUserMessage;
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }
}

/** Records the names of the tools an assistant message calls. */
function noteTools(message: Extract<SDKMessage, { type: "assistant" }>, into: Set<string>): void {
  const content = (message.message as { content?: unknown }).content;
  if (!Array.isArray(content)) return;
  for (const b of content as Array<{ type?: string; name?: string }>) {
    if (b?.type && b.type !== "text" && b.type !== "thinking" && b.type !== "redacted_thinking")
      into.add(b.name ?? b.type);
  }
}

/** The process ended (crashed, was killed) before the turn had a result. */
export class ProcessGone extends Error {
  constructor(
    readonly answered: boolean,
    readonly stderr: string,
    readonly exit: { code: number | null; signal: string | null },
  ) {
    super("the claude process ended");
  }
}
brand(ProcessGone, "ProcessGone");

export type ResultMessage = Extract<SDKMessage, { type: "result" }>;

/** How the process came to serve its current turn: new, a spare, a session's warm process, or cleared and reused. */
export type StartKind = "cold" | "spare" | "warm" | "reused";

/**
 * One `claude` process driven by the Agent SDK in streaming-input mode: it serves a turn for every
 * user message written to it and waits, idle, in between. `state` is what the pool and /health show.
 */
export class LiveProcess {
  state: "starting" | "idle" | "running" | "dead" = "starting";
  /** Claude's session id, once the process reported it. */
  sessionId: string | null = null;
  /** The model the process now uses (null: Claude Code's default). */
  model: string | null;
  /** Every Claude session id this process has had (their local transcripts go when it ends). */
  readonly sessionIds = new Set<string>();
  private readonly holds: Array<() => void> = [];
  /** A session's warm process: the session's turns it has served (with those before it, resumed). */
  turnsDone: number | null = null;
  /** Claude's running total of cost for this conversation (it carries across --resume). */
  costTotal: number | null = null;
  /** Whether the current turn has produced any answer yet. */
  answered = false;
  /** When the current turn's message was written (ms since the epoch). */
  sentAt = 0;
  /** The current turn was paused for a client's tool results (its length says nothing of Claude's). */
  pausedOnce = false;
  /** The tools Claude called in this conversation (whether the process may be cleared and reused). */
  readonly toolsUsed = new Set<string>();
  /**
   * Set by the pool: whose words the process holds (an API key's id, "" for the admin; null: nobody's
   * yet), and the configuration it serves (null: never reused, e.g. a session's resume).
   */
  owner: string | null = null;
  reuseKey: string | null = null;
  /** Stateless requests this process has served (it is cleared after each, and ended past a limit). */
  served = 0;
  /** What the pool handed it to its current request as (for the pool's estimates), or null. */
  servedAs: "reused" | "spare" | "parked" | "cold" | null = null;
  /** The current (or last) turn's message until its first answer (ms), or null before one. */
  firstAnswerMs: number | null = null;
  /** Settles at the first answer of the first turn, or when the process ends: its start-up is over. */
  readonly firstAnswer: Promise<void>;
  private markAnswered!: () => void;
  readonly exited: Promise<void>;
  private child: SpawnedProcess | undefined;
  /** The client tool calls this process waits on (its in-process MCP server answers from here). */
  readonly waits = new ToolWaits();
  private readonly inbox = new Inbox();
  private readonly messages: AsyncIterator<SDKMessage>;
  private readonly query: Query;
  private markExited!: () => void;
  private exit: { code: number | null; signal: string | null } = { code: null, signal: null };

  /**
   * @param key what was fixed when the process started (system prompt, tools…): a later turn with
   *   another key cannot use this process.
   */
  constructor(
    readonly key: string,
    start: (
      prompt: AsyncIterable<SDKUserMessage>,
      spawn: NonNullable<Options["spawnClaudeCodeProcess"]>,
      waits: ToolWaits,
    ) => Query,
    model: string | null,
    public kind: StartKind,
  ) {
    this.model = model;
    this.exited = new Promise((resolve) => {
      this.markExited = resolve;
    });
    this.firstAnswer = new Promise((resolve) => {
      this.markAnswered = resolve;
    });
    void this.exited.then(() => this.markAnswered());
    this.query = start(this.inbox, (opts) => this.adopt(spawnClaude(opts)), this.waits);
    this.messages = this.query[Symbol.asyncIterator]();
  }

  /** Takes over a process the SDK spawned (also for a spare: its spawn happened before). */
  adopt(child: SpawnedProcess): SpawnedProcess {
    this.child = child;
    // The spawn's own exit listener tells us (one per process, however many wait on it).
    void processExit(child).then((exit) => {
      this.exit = exit;
      this.state = "dead";
      this.markExited();
      // Its conversations' local transcripts: stored (what the mirror had not sent yet), then removed
      // unless another process holds them.
      for (const release of this.holds) release();
      void settleTranscripts(configDirOf(envOf(child)), this.sessionIds).catch(() => {});
    });
    if (child.exitCode !== null) {
      this.state = "dead";
      this.markExited();
    }
    return child;
  }

  get pid(): number | undefined {
    return pidOf(this.child);
  }

  get alive(): boolean {
    return this.state !== "dead" && (this.child === undefined || this.child.exitCode === null);
  }

  rss(): number {
    return residentBytes(this.pid);
  }

  async setModel(model: string | null): Promise<void> {
    if (model === this.model) return;
    await this.query.setModel(model ?? undefined);
    this.model = model;
  }

  /** Starts a turn: writes one user message to the process. Read its messages with next(). */
  send(blocks: ClaudeBlock[], command = false): void {
    if (!this.alive) throw new ProcessGone(false, this.stderr(), this.exit);
    this.state = "running";
    this.answered = false;
    this.sentAt = Date.now();
    this.firstAnswerMs = null;
    this.pausedOnce = false;
    this.inbox.push(blocks, command);
  }

  /**
   * The turn's next message; its `result` ends the turn (the process is idle again). An abort ends
   * the process (a half-finished turn is never reused); a process that ends without a result throws
   * ProcessGone. A turn may be read across several calls and signals (a tool loop's HTTP legs).
   */
  async next(signal: AbortSignal): Promise<SDKMessage> {
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => {});
    try {
      const step = await Promise.race([this.messages.next(), aborted]);
      if (step.done) throw new ProcessGone(this.answered, this.stderr(), this.exit);
      const message = step.value;
      if ("session_id" in message && typeof message.session_id === "string" && message.session_id) {
        this.sessionId = message.session_id;
        if (!this.sessionIds.has(message.session_id)) {
          this.sessionIds.add(message.session_id);
          this.holds.push(holdTranscript(message.session_id));
        }
      }
      // The Claude plan's limits (OAuth logins) and the login each turn uses: claude-plan/state.ts keeps them.
      if (message.type === "rate_limit_event") notePlanEvent(message.rate_limit_info);
      else if (message.type === "system" && message.subtype === "init") noteLoginSource(message.apiKeySource);
      // The database did not take a batch of the transcript (after the SDK's retries): the local file
      // still has it, and it is stored from there when the process ends (local-transcripts.ts).
      else if (message.type === "system" && message.subtype === "mirror_error")
        log({ level: "warn", msg: `transcript mirror failed for ${message.session_id}: ${message.error}` }, "stderr");
      if (message.type === "result") {
        this.state = "idle";
      } else if (message.type === "stream_event" || message.type === "assistant") {
        if (!this.answered) this.firstAnswerMs = Date.now() - this.sentAt;
        this.answered = true;
        this.markAnswered();
        if (message.type === "assistant") noteTools(message, this.toolsUsed);
      }
      return message;
    } catch (e) {
      await this.close();
      if (e instanceof ProcessGone || signal.aborted) throw e;
      throw new ProcessGone(this.answered, this.stderr(), this.exit);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  stderr(): string {
    return stderrTail(this.child);
  }

  /**
   * Starts a new, empty conversation in this process: Claude Code's `/clear` (no API call). Claude
   * then has a new session id, no messages, no file-read state, and its running cost starts again at
   * zero; the next conversation begins with Claude Code's own note that `/clear` was run. Throws
   * (and the process is ended) unless the process confirms the reset.
   */
  async clear(signal: AbortSignal): Promise<void> {
    const before = this.sessionId;
    this.send([{ type: "text", text: "/clear" }], true);
    let reset = false;
    for (;;) {
      const m = await this.next(signal);
      if (m.type === "conversation_reset") reset = true;
      if (m.type !== "result") continue;
      if (!reset || m.is_error || !this.sessionId || this.sessionId === before) {
        await this.close();
        throw new ProcessGone(false, "claude did not clear its conversation", this.exit);
      }
      this.costTotal = null;
      this.toolsUsed.clear();
      return;
    }
  }

  /** Ends the process (TERM to its group, KILL after a grace period) and waits until it is gone. */
  async close(): Promise<void> {
    if (this.state !== "dead") this.state = "dead";
    this.waits.abandon();
    this.inbox.end();
    try {
      this.query.close();
    } catch {}
    if (this.child) await endProcess(this.child);
    else this.markExited(); // never spawned
  }
}
