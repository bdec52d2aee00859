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
import { type ClaudeUsage, StreamJsonState } from "./stream-json";

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
  const isDefault = input.model === "claude-code" || input.model === e.CLAUDE_DEFAULT_MODEL;
  const newSessionId = input.session && !resume ? randomUUID() : null;
  const tmp = prompt.systemPrompt ? fs.mkdtempSync(path.join(os.tmpdir(), "cc-bridge-")) : null;
  const systemPromptFile = tmp ? path.join(tmp, "system-prompt.txt") : null;
  const args = buildArgs({
    model: isDefault ? null : input.model,
    systemPromptFile,
    systemPromptMode: e.CLAUDE_SYSTEM_PROMPT_MODE,
    resume,
    newSessionId,
    skipPermissions: e.CLAUDE_SKIP_PERMS,
  });

  let release = () => {};
  let proc: ClaudeProcess | undefined;
  const onAbort = () => void proc?.kill();
  try {
    if (systemPromptFile) fs.writeFileSync(systemPromptFile, prompt.systemPrompt ?? "", { mode: 0o600 });
    release = await claudeLimiter().acquire(signal);
    input.started();
    const started = spawnClaude(bin.path, args, { cwd, env: childProcessEnv(), stdin: stdinMessage(prompt.blocks) });
    proc = started.proc;
    await started.spawned.catch((err: NodeJS.ErrnoException) => {
      throw binaryMissing(`${bin.path}: ${err.code ?? err.message}`);
    });
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) throw signal.reason;
    const state = new StreamJsonState(request.stream ? "stream" : "buffer");
    for await (const line of proc.lines) {
      for (const event of state.push(line)) yield event;
      if (signal.aborted) throw signal.reason;
    }
    const exit = await proc.exited;
    if (signal.aborted) throw signal.reason;
    const r = state.result;
    if (!r) throw exitError(exit.code, exit.signal, proc.stderr());
    if (r.is_error && r.subtype !== "error_max_turns") throw resultError(r, input.model);
    return {
      finishReason: r.subtype === "error_max_turns" ? "length" : "stop",
      usage: toUsage(r.usage),
      costUsd: r.total_cost_usd ?? null,
      upstreamModel: state.model ?? (isDefault ? "claude-code" : input.model),
      upstreamSessionId: r.session_id ?? state.sessionId ?? newSessionId ?? undefined,
    };
  } finally {
    signal.removeEventListener("abort", onAbort);
    await proc?.kill();
    release();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export const claudeCodeProvider: Provider = { id: "claude-code", replaysHistory: false, run };
