import "server-only";
import { randomUUID } from "node:crypto";
import { query } from "@anthropic-ai/claude-agent-sdk";
import { adminGrant } from "../../access/agent";
import { env } from "../../env";
import { badRequest } from "../../openai/errors";
import type { ChatRequest } from "../../openai/schemas";
import type { ChatEvent, Provider, RunInput, RunResult } from "../types";
import { clientTools } from "./client-tools";
import { Limiter } from "./limiter";
import { LiveProcess, ProcessGone } from "./live";
import { configDirOf } from "./local-files";
import { holdTranscript, restoreTranscript } from "./local-transcripts";
import { checkModelName } from "./model-name";
import { coldOptions, processKey, spareCanServe, type TurnConfig } from "./options";
import { claudePool } from "./pool";
import { buildPrompt, type ClaudeBlock } from "./prompt";
import { callerOf, reuseKey, type Want } from "./reuse";
import { resumePaused } from "./tool-loop";
import { LostSession, newEvents, runLeg, SpareRefused } from "./turn";
import { placementFor } from "./workspace";

const g = globalThis as unknown as { __ccBridgeClaudeLimiter?: Limiter };

/** The process-wide cap on concurrent Claude Code turns (CLAUDE_MAX_CONCURRENCY, CLAUDE_MAX_QUEUE). */
export function claudeLimiter(): Limiter {
  g.__ccBridgeClaudeLimiter ??= new Limiter(env().CLAUDE_MAX_CONCURRENCY, env().CLAUDE_MAX_QUEUE);
  return g.__ccBridgeClaudeLimiter;
}

function cold(config: TurnConfig, session: { resume?: string; sessionId?: string }): LiveProcess {
  return new LiveProcess(
    processKey(config),
    (prompt, spawn, waits) =>
      query({ prompt, options: { ...coldOptions(config, session, waits), spawnClaudeCodeProcess: spawn } }),
    config.model,
    "cold",
  );
}

/**
 * response_format → the JSON Schema the answer must fit (json_object: any object), or null. The
 * `$schema` URL some clients put in (LangChain's zod conversion) is left out: Claude Code's
 * validator knows no meta-schema by URL and would refuse the whole schema.
 */
function outputSchema(request: ChatRequest): Record<string, unknown> | null {
  const f = request.response_format;
  if (!f || f.type === "text") return null;
  if (f.type === "json_object") return { type: "object" };
  const { $schema: _, ...schema } = (f.json_schema.schema as Record<string, unknown> | undefined) ?? {};
  return Object.keys(schema).length ? schema : { type: "object" };
}

/**
 * What the client's tool_choice and parallel_tool_calls ask of Claude, said in the system prompt:
 * Claude Code cannot force a tool call, so `required` and a named function are best effort.
 */
function toolRules(request: ChatRequest, offered: number): string | null {
  if (!offered) return null;
  const rules: string[] = [];
  const choice = request.tool_choice;
  if (choice === "required") rules.push("You must answer by calling one of the provided mcp__client__ tools.");
  else if (typeof choice === "object" && choice && "function" in choice)
    rules.push(`You must answer by calling the tool mcp__client__${choice.function.name}.`);
  if (request.parallel_tool_calls === false) rules.push("Call at most one tool per message.");
  return rules.length ? rules.join(" ") : null;
}

/**
 * One Claude Code turn (or one HTTP leg of it) through the live processes. A request that brings
 * the results of a paused turn's tool calls continues that turn. Otherwise: a session's warm process
 * (same system prompt and tools; a new model is set with setModel), else a process from the pool
 * (stateless requests and a session's first turn: a cleared one of the same caller and
 * configuration, a spare, or a new one; pool.ts), else a new process (`resume` for a session Claude
 * knows). Fallbacks the client never sees: a warm or reusable process that died → another; a spare
 * that refuses → another process; a transcript Claude lost, or a paused turn that is gone → a new
 * Claude session from the conversation the gateway has.
 */
async function* run(input: RunInput): AsyncGenerator<ChatEvent, RunResult> {
  const { request, signal, session } = input;
  const isDefault = input.model === "claude-code" || input.model === env().CLAUDE_DEFAULT_MODEL;
  if (!isDefault) checkModelName(input.model);
  const offset = request.messages.length - input.messages.length;
  const paused = resumePaused(input.messages, offset);
  const tools = clientTools(request);
  const schema = outputSchema(request);
  // Tool results for a turn that is no longer paused (gateway restarted, wait expired): rebuilt
  // from the conversation, never resumed (Claude's transcript ends in a call with no result).
  const lostLoop = !paused && input.messages.at(-1)?.role === "tool";
  const resume = paused || lostLoop || !session?.upstreamSessionId ? null : session.upstreamSessionId;
  const prompt = buildPrompt(input.messages, resume !== null);
  if (prompt.blocks.length === 0 && !paused) throw badRequest("There is no new user message to send.", "messages");
  const rules = toolRules(request, tools.length);
  const config: TurnConfig = {
    model: isDefault ? null : input.model,
    systemPrompt: [prompt.systemPrompt, rules].filter(Boolean).join("\n\n") || null,
    tools,
    outputSchema: schema,
    // The caller's workspace and level (a 503 when its level needs a sandbox this machine lacks).
    place: placementFor(input.agent ?? adminGrant(), session !== null),
  };
  const pool = claudePool();
  const release = await claudeLimiter().acquire(signal);
  try {
    input.started();
    if (paused) {
      // The client is back with its tool results: the same Claude turn goes on in the same process.
      const { turn, waitedMs } = paused;
      turn.events.mode = request.stream ? "stream" : "buffer";
      return yield* runLeg(
        {
          proc: turn.proc,
          events: turn.events,
          costBase: turn.costBase,
          usageSoFar: turn.usageSoFar,
          parentRequestId: turn.requestId ?? undefined,
          toolWaitMs: waitedMs,
        },
        input,
      );
    }
    const fresh = (proc: LiveProcess, blocks: ClaudeBlock[], costBase: number) =>
      runLeg({ proc, events: newEvents(input, schema !== null), blocks, costBase, usageSoFar: zero() }, input);
    const want = (reuse: boolean, opts: { resume?: string; sessionId?: string }, spareOk = false): Want => ({
      caller: callerOf(input.keyId),
      key: reuseKey(config),
      config,
      reuseOk: reuse,
      stateless: reuse && !session,
      spareOk: reuse && spareOk && spareCanServe(config),
      make: () => cold(config, opts),
    });
    /** A process of the pool (ready, spare or new); another one when it refuses or died while ready. */
    const pooled = async function* (): AsyncGenerator<ChatEvent, RunResult> {
      for (let attempt = 0; ; attempt++) {
        const proc = await pool.acquire(want(true, session ? { sessionId: randomUUID() } : {}, attempt === 0), signal);
        try {
          // A pre-claimed spare runs Claude Code's default model until told otherwise.
          await proc.setModel(config.model);
          // A cleared process starts its conversation again, with a running cost of zero.
          return yield* fresh(proc, prompt.blocks, 0);
        } catch (e) {
          if (attempt < 3 && (e instanceof SpareRefused || (e instanceof ProcessGone && !e.answered))) continue;
          throw e;
        }
      }
    };
    const dedicated = (opts: { resume?: string; sessionId?: string }) => pool.acquire(want(false, opts), signal);
    if (!session) return yield* pooled();
    const costSoFar = session.costSoFar ?? (async () => 0);
    const warm = pool.takeWarm(session.id);
    // A warm process is used only while it holds every turn of the session (another instance may have
    // served the later ones: then the transcript comes from the database).
    if (
      warm &&
      resume &&
      warm.sessionId === resume &&
      warm.key === processKey(config) &&
      warm.turnsDone === session.turns
    ) {
      try {
        await warm.setModel(config.model);
        return yield* fresh(warm, prompt.blocks, warm.costTotal ?? 0);
      } catch (e) {
        // Died while idle (or between our check and the write): resume on a new process.
        if (!(e instanceof ProcessGone) || e.answered) throw e;
      }
    } else if (warm) {
      // Started with another system prompt or tools, or behind the session: resume it in a new process.
      await warm.close();
    }
    if (resume) {
      // The session's transcript, written back from the database where this process will look for it.
      const release = holdTranscript(resume);
      try {
        if (env().CLAUDE_TRANSCRIPTS === "database")
          await restoreTranscript(configDirOf(config.place.options.env ?? {}), config.place.dir, resume);
        return yield* fresh(await dedicated({ resume }), prompt.blocks, await costSoFar());
      } catch (e) {
        if (!(e instanceof LostSession)) throw e;
      } finally {
        release();
      }
    }
    if (resume || lostLoop) {
      // Claude's transcript is gone (CLAUDE_CONFIG_DIR or CLAUDE_WORKDIR changed) or ends in a tool
      // call with no result: start a new Claude session from the stored history and the new messages.
      const replay = buildPrompt([...session.history, ...input.messages], false);
      return yield* fresh(await dedicated({ sessionId: randomUUID() }), replay.blocks, 0);
    }
    return yield* pooled();
  } finally {
    release();
  }
}

const zero = () => ({ promptTokens: 0, completionTokens: 0, cachedTokens: 0 });

export { claudeProcessStats } from "./pool";
export const claudeCodeProvider: Provider = { id: "claude-code", replaysHistory: false, run };
