import "server-only";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { childProcessEnv, env } from "../../env";
import { ApiError, badRequest } from "../../openai/errors";
import type { ChatEvent, Provider, RunInput, RunResult } from "../types";
import { buildArgs } from "./args";
import { findClaude } from "./binary";
import { binaryMissing, exitError, resultError } from "./errors";
import { Limiter } from "./limiter";
import { type ClaudeProcess, spawnClaude } from "./process";
import { buildPrompt, stdinMessage } from "./prompt";
import { type ClaudeResult, type ClaudeUsage, StreamJsonState } from "./stream-json";

const g = globalThis as unknown as { __ccBridgeClaudeLimiter?: Limiter };

/** The process-wide cap on concurrent `claude` runs (CLAUDE_MAX_CONCURRENCY, CLAUDE_MAX_QUEUE). */
export function claudeLimiter(): Limiter {
  g.__ccBridgeClaudeLimiter ??= new Limiter(env().CLAUDE_MAX_CONCURRENCY, env().CLAUDE_MAX_QUEUE);
  return g.__ccBridgeClaudeLimiter;
}

/** The default working directory: a folder of its own, so runs never see the gateway's files (its database). */
export const DEFAULT_WORKDIR = "claude-workdir";

function workdir(): string {
  const configured = env().CLAUDE_WORKDIR;
  const dir = path.resolve(/*turbopackIgnore: true*/ configured ?? DEFAULT_WORKDIR);
  if (!configured) fs.mkdirSync(/*turbopackIgnore: true*/ dir, { recursive: true });
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir) || !fs.statSync(/*turbopackIgnore: true*/ dir).isDirectory()) {
    throw new ApiError(503, `CLAUDE_WORKDIR (${dir}) is not a directory.`, { code: "claude_unavailable" });
  }
  return dir;
}

const toUsage = (u: ClaudeUsage | undefined) => {
  const cacheRead = u?.cache_read_input_tokens ?? 0;
  return {
    promptTokens: (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + cacheRead,
    completionTokens: u?.output_tokens ?? 0,
    cachedTokens: cacheRead,
  };
};

async function* run(input: RunInput): AsyncGenerator<ChatEvent, RunResult> {
  const e = env();
  const { request, signal } = input;
  if (request.tools?.length && request.tool_choice !== "none") {
    throw badRequest(
      "Claude Code models do not take OpenAI function tools (Claude Code runs its own tools); leave `tools` out or set tool_choice to none.",
      "tools",
      "unsupported_parameter",
    );
  }
  const bin = findClaude();
  if (!bin) throw binaryMissing(e.CLAUDE_BIN ? `CLAUDE_BIN=${e.CLAUDE_BIN} is not an executable` : "no `claude` found");
  const cwd = workdir();
  const resume = input.session?.upstreamSessionId ?? null;
  const prompt = buildPrompt(input.messages, resume !== null);
  if (prompt.blocks.length === 0) throw badRequest("There is no new user message to send.", "messages");
  const tmp = prompt.systemPrompt ? fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-")) : null;
  const systemPromptFile = tmp ? path.join(tmp, "system-prompt.txt") : null;
  const run: Attempt = { bin: bin.path, cwd, systemPromptFile, input };

  let release = () => {};
  try {
    if (systemPromptFile) fs.writeFileSync(systemPromptFile, prompt.systemPrompt ?? "", { mode: 0o600 });
    release = await claudeLimiter().acquire(signal);
    input.started();
    if (!input.session) return yield* attempt(run, { resume: null, newSessionId: null }, prompt.blocks);
    if (!resume) return yield* attempt(run, { resume: null, newSessionId: randomUUID() }, prompt.blocks);
    try {
      return yield* attempt(run, { resume, newSessionId: null }, prompt.blocks);
    } catch (err) {
      if (!(err instanceof LostSession)) throw err;
      // Claude's transcript of this session is gone (CLAUDE_CONFIG_DIR or CLAUDE_WORKDIR changed):
      // start a new Claude session from the stored history instead of failing every later turn.
      const replay = buildPrompt([...input.session.history, ...input.messages], false);
      return yield* attempt(run, { resume: null, newSessionId: randomUUID() }, replay.blocks);
    }
  } finally {
    release();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

interface Attempt {
  bin: string;
  cwd: string;
  systemPromptFile: string | null;
  input: RunInput;
}

/** `--resume` named a session the CLI no longer has; nothing was answered yet. */
class LostSession extends Error {}

/** One `claude` process: spawn, stream its events, and make sure it is gone when this ends. */
async function* attempt(
  run: Attempt,
  session: { resume: string | null; newSessionId: string | null },
  blocks: ReturnType<typeof buildPrompt>["blocks"],
): AsyncGenerator<ChatEvent, RunResult> {
  const e = env();
  const { input } = run;
  const { signal } = input;
  const isDefault = input.model === "claude-code" || input.model === e.CLAUDE_DEFAULT_MODEL;
  const args = buildArgs({
    model: isDefault ? null : input.model,
    systemPromptFile: run.systemPromptFile,
    systemPromptMode: e.CLAUDE_SYSTEM_PROMPT_MODE,
    resume: session.resume,
    newSessionId: session.newSessionId,
    skipPermissions: e.CLAUDE_SKIP_PERMS,
  });
  let proc: ClaudeProcess | undefined;
  const onAbort = () => void proc?.kill();
  try {
    const started = spawnClaude(run.bin, args, { cwd: run.cwd, env: childProcessEnv(), stdin: stdinMessage(blocks) });
    proc = started.proc;
    await started.spawned.catch((err: NodeJS.ErrnoException) => {
      throw binaryMissing(`${run.bin}: ${err.code ?? err.message}`);
    });
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) throw signal.reason;
    const state = new StreamJsonState(input.request.stream ? "stream" : "buffer");
    let answered = false;
    for await (const line of proc.lines) {
      for (const event of state.push(line)) {
        answered = true;
        yield event;
      }
      if (signal.aborted) throw signal.reason;
    }
    const exit = await proc.exited;
    if (signal.aborted) throw signal.reason;
    const r = state.result;
    const lost = session.resume !== null && !answered;
    if (!r && lost && /no conversation found/i.test(proc.stderr())) throw new LostSession();
    if (!r) throw exitError(exit.code, exit.signal, proc.stderr());
    if (r.is_error && lost && lostSession(r)) throw new LostSession();
    if (r.is_error && r.subtype !== "error_max_turns") throw resultError(r, input.model);
    return {
      finishReason: r.subtype === "error_max_turns" ? "length" : "stop",
      usage: toUsage(r.usage),
      costUsd: r.total_cost_usd ?? null,
      upstreamModel: state.model ?? (isDefault ? "claude-code" : input.model),
      upstreamSessionId: r.session_id ?? state.sessionId ?? session.newSessionId ?? undefined,
    };
  } finally {
    signal.removeEventListener("abort", onAbort);
    await proc?.kill();
  }
}

const lostSession = (r: ClaudeResult) =>
  [r.result, ...(r.errors ?? [])].some((x) => typeof x === "string" && /no conversation found/i.test(x));

export const claudeCodeProvider: Provider = { id: "claude-code", replaysHistory: false, run };
