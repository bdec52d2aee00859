import "server-only";
import type { Options, Query, SDKMessage, SDKUserMessage, SpawnedProcess } from "@anthropic-ai/claude-agent-sdk";
import { brand } from "../../brand";
import { noteLoginSource, notePlanEvent } from "../../claude-plan/state";
import { ToolWaits } from "./client-tools";
import type { ClaudeBlock } from "./prompt";
import { endProcess, processExit, residentBytes, spawnClaude, stderrTail } from "./spawn";

/** The messages written to a live process: one user message per turn, for as long as it lives. */
class Inbox implements AsyncIterable<SDKUserMessage> {
  private readonly queue: SDKUserMessage[] = [];
  private wake: (() => void) | null = null;
  private ended = false;

  push(blocks: ClaudeBlock[]): void {
    this.queue.push({
      type: "user",
      message: { role: "user", content: blocks },
      parent_tool_use_id: null,
      session_id: "",
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

export type StartKind = "cold" | "spare" | "warm";

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
  /** Claude's running total of cost for this conversation (it carries across --resume). */
  costTotal: number | null = null;
  /** Whether the current turn has produced any answer yet. */
  answered = false;
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
    });
    if (child.exitCode !== null) {
      this.state = "dead";
      this.markExited();
    }
    return child;
  }

  get pid(): number | undefined {
    return (this.child as { pid?: number } | undefined)?.pid;
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
  send(blocks: ClaudeBlock[]): void {
    if (!this.alive) throw new ProcessGone(false, this.stderr(), this.exit);
    this.state = "running";
    this.answered = false;
    this.inbox.push(blocks);
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
      }
      // The Claude plan's limits (OAuth logins) and the login each turn uses: claude-plan/state.ts keeps them.
      if (message.type === "rate_limit_event") notePlanEvent(message.rate_limit_info);
      else if (message.type === "system" && message.subtype === "init") noteLoginSource(message.apiKeySource);
      if (message.type === "result") {
        this.state = "idle";
      } else if (message.type === "stream_event" || message.type === "assistant") {
        this.answered = true;
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
