import "server-only";
import { randomUUID } from "node:crypto";
import { query } from "@anthropic-ai/claude-agent-sdk";
import { env } from "../../env";
import { badRequest } from "../../openai/errors";
import type { ChatEvent, Provider, RunInput, RunResult } from "../types";
import { exitError, resultError } from "./errors";
import { Limiter } from "./limiter";
import { LiveProcess, ProcessGone, type ResultMessage } from "./live";
import { checkModelName } from "./model-name";
import { coldOptions, processKey, spareCanServe, type TurnConfig } from "./options";
import { claudePool } from "./pool";
import { buildPrompt, type ClaudeBlock } from "./prompt";
import { type ClaudeUsage, TurnEvents } from "./turn-events";

const g = globalThis as unknown as { __ccBridgeClaudeLimiter?: Limiter };

/** The process-wide cap on concurrent Claude Code turns (CLAUDE_MAX_CONCURRENCY, CLAUDE_MAX_QUEUE). */
export function claudeLimiter(): Limiter {
  g.__ccBridgeClaudeLimiter ??= new Limiter(env().CLAUDE_MAX_CONCURRENCY, env().CLAUDE_MAX_QUEUE);
  return g.__ccBridgeClaudeLimiter;
}

const toUsage = (u: ClaudeUsage | undefined) => {
  const cacheRead = u?.cache_read_input_tokens ?? 0;
  return {
    promptTokens: (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + cacheRead,
    completionTokens: u?.output_tokens ?? 0,
    cachedTokens: cacheRead,
  };
};

/** `--resume` named a session the CLI no longer has; nothing was answered yet. */
class LostSession extends Error {}
/** A spare refused its claim (the SDK answers `not_claimed`); nothing ran. */
class SpareRefused extends Error {}

const isLost = (text: string) => /no conversation found/i.test(text);

function cold(config: TurnConfig, session: { resume?: string; sessionId?: string }): LiveProcess {
  const options = coldOptions(config, session);
  return new LiveProcess(
    processKey(config),
    (prompt, spawn) => query({ prompt, options: { ...options, spawnClaudeCodeProcess: spawn } }),
    config.model,
    "cold",
  );
}

/**
 * One Claude Code turn through the live-process pool: a session's warm process when it has one
 * (same system prompt; a new model is set with setModel), else a ready spare (stateless requests
 * and a session's first turn), else a new process (`resume` for a session Claude knows). Fallbacks
 * that the client never sees: a warm process that died → resume; a spare that refuses → a new
 * process; a transcript Claude lost → a new Claude session from the stored history.
 */
async function* run(input: RunInput): AsyncGenerator<ChatEvent, RunResult> {
  const { request, signal, session } = input;
  if (request.tools?.length && request.tool_choice !== "none") {
    throw badRequest(
      "Claude Code models do not take OpenAI function tools (Claude Code runs its own tools); leave `tools` out or set tool_choice to none.",
      "tools",
      "unsupported_parameter",
    );
  }
  const isDefault = input.model === "claude-code" || input.model === env().CLAUDE_DEFAULT_MODEL;
  if (!isDefault) checkModelName(input.model);
  const resume = session?.upstreamSessionId ?? null;
  const prompt = buildPrompt(input.messages, resume !== null);
  if (prompt.blocks.length === 0) throw badRequest("There is no new user message to send.", "messages");
  const config: TurnConfig = { model: isDefault ? null : input.model, systemPrompt: prompt.systemPrompt };
  const pool = claudePool();
  const release = await claudeLimiter().acquire(signal);
  try {
    input.started();
    const turn = (proc: LiveProcess, blocks: ClaudeBlock[], costBase: () => Promise<number>) =>
      runTurn(proc, blocks, input, costBase);
    if (!session) {
      // Stateless: a spare or a new process, used once.
      const spare = spareCanServe(config) ? pool.claimSpare(config) : null;
      if (spare) {
        try {
          return yield* turn(spare, prompt.blocks, async () => 0);
        } catch (e) {
          if (!(e instanceof SpareRefused)) throw e;
        }
      }
      return yield* turn(cold(config, {}), prompt.blocks, async () => 0);
    }
    const costSoFar = session.costSoFar ?? (async () => 0);
    const warm = pool.takeWarm(session.id);
    if (warm && resume && warm.sessionId === resume && warm.key === processKey(config)) {
      try {
        await warm.setModel(config.model);
        return yield* turn(warm, prompt.blocks, costSoFar);
      } catch (e) {
        // Died while idle (or between our check and the write): resume on a new process.
        if (!(e instanceof ProcessGone) || e.answered) throw e;
      }
    } else if (warm) {
      void warm.close(); // started with another system prompt: resume it in a new process
    }
    if (resume) {
      try {
        return yield* turn(cold(config, { resume }), prompt.blocks, costSoFar);
      } catch (e) {
        if (!(e instanceof LostSession)) throw e;
        // Claude's transcript is gone (CLAUDE_CONFIG_DIR or CLAUDE_WORKDIR changed): start a new
        // Claude session from the stored history instead of failing every later turn.
        const replay = buildPrompt([...session.history, ...input.messages], false);
        return yield* turn(cold(config, { sessionId: randomUUID() }), replay.blocks, async () => 0);
      }
    }
    const spare = spareCanServe(config) ? pool.claimSpare(config) : null;
    if (spare) {
      try {
        return yield* turn(spare, prompt.blocks, async () => 0);
      } catch (e) {
        if (!(e instanceof SpareRefused)) throw e;
      }
    }
    return yield* turn(cold(config, { sessionId: randomUUID() }), prompt.blocks, async () => 0);
  } finally {
    release();
  }
}

/**
 * Runs one turn on a process and maps its messages to chat events. Afterwards the process is
 * parked as the session's warm process (a successful session turn) or ended (anything else).
 */
async function* runTurn(
  proc: LiveProcess,
  blocks: ClaudeBlock[],
  input: RunInput,
  costBase: () => Promise<number>,
): AsyncGenerator<ChatEvent, RunResult> {
  const pool = claudePool();
  const { signal, session } = input;
  pool.track(proc);
  let keep = false;
  try {
    const base = proc.costTotal ?? (proc.kind === "cold" ? await costBase() : 0);
    const state = new TurnEvents(input.request.stream ? "stream" : "buffer");
    let answered = false;
    let result: ResultMessage;
    const messages = proc.turn(blocks, signal);
    try {
      for (;;) {
        const step = await messages.next();
        if (step.done) {
          result = step.value;
          break;
        }
        for (const event of state.push(step.value)) {
          answered = true;
          yield event;
        }
      }
    } catch (e) {
      if (e instanceof ProcessGone && !e.answered && !answered) {
        if (proc.kind === "cold" && isLost(e.stderr)) throw new LostSession();
        if (proc.kind === "warm") throw e;
        throw exitError(e.exit.code, e.exit.signal, e.stderr);
      }
      if (e instanceof ProcessGone) throw exitError(e.exit.code, e.exit.signal, e.stderr);
      throw e;
    }
    if (signal.aborted) throw signal.reason;
    const r = result as ResultMessage & { result?: string; errors?: string[]; api_error_status?: number | null };
    const text = [r.result, ...(r.errors ?? [])].filter((x) => typeof x === "string").join(" ");
    if (r.is_error && !answered && proc.kind === "spare" && /^not_claimed/.test(text)) throw new SpareRefused();
    if (r.is_error && !answered && proc.kind === "cold" && isLost(text)) throw new LostSession();
    const total = typeof r.total_cost_usd === "number" ? r.total_cost_usd : null;
    const costUsd = total === null ? null : Math.max(0, total - base);
    if (total !== null) proc.costTotal = total;
    if (r.is_error && r.subtype !== "error_max_turns") throw resultError(r as never, input.model);
    keep = session !== null && proc.sessionId !== null;
    return {
      finishReason: r.subtype === "error_max_turns" ? "length" : "stop",
      usage: toUsage(r.usage as ClaudeUsage),
      costUsd,
      upstreamModel: state.model ?? input.model,
      upstreamSessionId: proc.sessionId ?? undefined,
    };
  } finally {
    if (keep && session && proc.alive) {
      // A warm process for the session's next turn (its kind becomes "warm").
      proc.kind = "warm";
      pool.park(session.id, proc);
    } else {
      pool.release(proc);
      await proc.exited.catch(() => {});
    }
  }
}

export { claudeProcessStats } from "./pool";
export const claudeCodeProvider: Provider = { id: "claude-code", replaysHistory: false, run };
