import "server-only";
import { log } from "../../log";
import { ApiError, badRequest } from "../../openai/errors";
import { ClaudeSteps } from "../../steps/claude";
import { stepLog } from "../../steps/log";
import { recordToolWaitExpired } from "../../usage/store";
import type { ChatEvent, RunInput, RunResult, TokenUsage } from "../types";
import { exitError, redact, resultError } from "./errors";
import { type LiveProcess, ProcessGone, type ResultMessage } from "./live";
import { claudePool } from "./pool";
import { recycle } from "./pool-ready";
import { leavesNothing } from "./reuse";
import { pauseTurn } from "./tool-loop";
import { type ClaudeResult, type ClaudeUsage, TurnEvents } from "./turn-events";

/** `--resume` named a session the CLI no longer has; nothing was answered yet. */
export class LostSession extends Error {}
/** A spare refused its claim (the SDK answers `not_claimed`); nothing ran. */
export class SpareRefused extends Error {}

const isLost = (text: string) => /no conversation found/i.test(text);

const toUsage = (u: ClaudeUsage | undefined): TokenUsage => {
  const cacheRead = u?.cache_read_input_tokens ?? 0;
  return {
    promptTokens: (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + cacheRead,
    completionTokens: u?.output_tokens ?? 0,
    cachedTokens: cacheRead,
  };
};

const minus = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  promptTokens: Math.max(0, a.promptTokens - b.promptTokens),
  completionTokens: Math.max(0, a.completionTokens - b.completionTokens),
  cachedTokens: Math.max(0, a.cachedTokens - b.cachedTokens),
});
const plus = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  promptTokens: a.promptTokens + b.promptTokens,
  completionTokens: a.completionTokens + b.completionTokens,
  cachedTokens: a.cachedTokens + b.cachedTokens,
});

/** Where a leg starts: a new turn (the user message to send), or the continuation of a paused one. */
export interface LegStart {
  proc: LiveProcess;
  events: TurnEvents;
  /** Sent first, for a new turn. */
  blocks?: Parameters<LiveProcess["send"]>[0];
  costBase: number;
  usageSoFar: TokenUsage;
  parentRequestId?: string;
  toolWaitMs?: number;
}

export const newEvents = (input: RunInput, structured: boolean) =>
  new TurnEvents(input.request.stream ? "stream" : "buffer", structured);

/**
 * One HTTP leg of a Claude turn: reads the turn's messages and yields chat events until the turn's
 * result, or until Claude asks for the client's tools (the leg answers `tool_calls` and the turn is
 * paused, its process waiting for the client's next request). A finished turn parks the process as
 * the session's warm process, or ends it.
 */
export async function* runLeg(start: LegStart, input: RunInput): AsyncGenerator<ChatEvent, RunResult> {
  const pool = claudePool();
  const { proc, events } = start;
  const { signal, session } = input;
  const sessionId = session?.id ?? null;
  pool.track(proc);
  // The turn's steps (model calls, tool calls, sub-agents), read from the same messages as the answer.
  const steps = input.requestId ? new ClaudeSteps(stepLog(input.requestId), proc.model, proc.sessionId) : null;
  let outcome: "park" | "pause" | "recycle" | "end" = "end";
  try {
    if (start.blocks) proc.send(start.blocks);
    let answered = false;
    let result: ResultMessage | null = null;
    try {
      while (!result) {
        const message = await proc.next(signal);
        steps?.push(message);
        if (message.type === "result") {
          result = message;
          break;
        }
        for (const event of events.push(message)) {
          answered = true;
          yield event;
        }
        const ids = events.takePause();
        if (ids) {
          // Claude called the client's tools: this leg ends; the turn waits for the results.
          const legUsage = events.takeUsage();
          outcome = "pause";
          proc.pausedOnce = true;
          pauseTurn(
            {
              proc,
              events,
              ids,
              pausedAt: Date.now(),
              requestId: input.requestId ?? null,
              sessionId,
              costBase: start.costBase,
              usageSoFar: plus(start.usageSoFar, legUsage),
            },
            (turn, waitedMs) => {
              log({ level: "warn", msg: "tool results never came", id: turn.requestId, waitedMs });
              if (turn.requestId) void recordToolWaitExpired(turn.requestId, waitedMs).catch(() => {});
            },
          );
          return {
            finishReason: "tool_calls",
            usage: legUsage,
            costUsd: null,
            upstreamModel: events.model ?? input.model,
            upstreamSessionId: proc.sessionId ?? undefined,
            parentRequestId: start.parentRequestId,
            toolWaitMs: start.toolWaitMs,
          };
        }
      }
    } catch (e) {
      if (e instanceof ProcessGone) {
        if (!e.answered && !answered && proc.kind === "cold" && isLost(e.stderr)) throw new LostSession();
        const invalid = /--json-schema is not a valid JSON Schema:?\s*(.*)/.exec(e.stderr);
        if (invalid) {
          throw badRequest(
            `response_format's schema is not one Claude Code accepts: ${redact(invalid[1] ?? "")}`,
            "response_format",
            "invalid_schema",
          );
        }
        // A warm or cleared process that died while idle: the caller takes another.
        if (!e.answered && !answered && (proc.kind === "warm" || proc.kind === "reused")) throw e;
        throw exitError(e.exit.code, e.exit.signal, e.stderr);
      }
      throw e;
    }
    if (signal.aborted) throw signal.reason;
    const r = result as unknown as ClaudeResult & { structured_output?: unknown };
    const text = [r.result, ...(r.errors ?? [])].filter((x) => typeof x === "string").join(" ");
    if (r.is_error && !answered && proc.kind === "spare" && /^not_claimed/.test(text)) throw new SpareRefused();
    if (r.is_error && !answered && proc.kind === "cold" && isLost(text)) throw new LostSession();
    const total = typeof r.total_cost_usd === "number" ? r.total_cost_usd : null;
    if (total !== null) proc.costTotal = total;
    if (r.is_error && r.subtype !== "error_max_turns") {
      if (/structured/i.test(r.subtype)) throw structuredFailed(text);
      throw resultError(r, input.model);
    }
    if (events.structured) {
      if (r.structured_output === undefined) throw structuredFailed(text);
      yield { type: "text", text: JSON.stringify(r.structured_output) };
    }
    // The turn's usage is the result's, less what earlier legs of the turn recorded.
    const usage = minus(toUsage(r.usage), start.usageSoFar);
    if (sessionId !== null) outcome = proc.sessionId !== null ? "park" : "end";
    // A stateless turn that ended well, on a process of the pool, with only tools that leave nothing behind.
    else if (proc.reuseKey !== null && !r.is_error && leavesNothing(proc.toolsUsed)) outcome = "recycle";
    return {
      finishReason: r.subtype === "error_max_turns" ? "length" : "stop",
      usage,
      costUsd: total === null ? null : Math.max(0, total - start.costBase),
      upstreamModel: events.model ?? input.model,
      upstreamSessionId: proc.sessionId ?? undefined,
      parentRequestId: start.parentRequestId,
      toolWaitMs: start.toolWaitMs,
    };
  } finally {
    steps?.end(proc.sessionId, events.model);
    if (outcome === "pause") pool.untrack(proc);
    else if (outcome === "park" && sessionId && proc.alive) {
      proc.kind = "warm";
      proc.turnsDone = (session?.turns ?? 0) + 1;
      pool.park(sessionId, proc);
    } else if (outcome === "recycle" && !signal.aborted && proc.alive) {
      void recycle(pool, proc);
    } else {
      pool.release(proc);
      await proc.exited.catch(() => {});
    }
  }
}

const structuredFailed = (detail: string) =>
  new ApiError(
    502,
    `Claude Code did not produce an answer that fits response_format's schema${detail ? `: ${detail.slice(0, 200)}` : "."}`,
    { code: "structured_output_failed" },
  );
