import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { Options } from "@anthropic-ai/claude-agent-sdk";
import { childProcessEnv, env } from "../../env";
import { ApiError } from "../../openai/errors";
import { findClaude } from "./binary";
import {
  CLIENT_PREFIX,
  CLIENT_SERVER,
  type ClientTool,
  clientToolServer,
  type ToolWaits,
  toolsKey,
} from "./client-tools";
import { binaryMissing } from "./errors";

/** The default working directory: a folder of its own, so runs never see the gateway's files (its database). */
export const DEFAULT_WORKDIR = "claude-workdir";

export function workdir(): string {
  const configured = env().CLAUDE_WORKDIR;
  const dir = path.resolve(/*turbopackIgnore: true*/ configured ?? DEFAULT_WORKDIR);
  if (!configured) fs.mkdirSync(/*turbopackIgnore: true*/ dir, { recursive: true });
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir) || !fs.statSync(/*turbopackIgnore: true*/ dir).isDirectory()) {
    throw new ApiError(503, `CLAUDE_WORKDIR (${dir}) is not a directory.`, { code: "claude_unavailable" });
  }
  return dir;
}

/** What a turn needs from its process. `model` can change on a live process; the rest cannot. */
export interface TurnConfig {
  /** null: Claude Code's own default model. */
  model: string | null;
  systemPrompt: string | null;
  /** The client's function tools, offered on an in-process MCP server. */
  tools: ClientTool[];
  /** A JSON Schema the answer must fit (response_format), or null. */
  outputSchema: Record<string, unknown> | null;
}

/** What is fixed when a process starts: a live process serves only turns with the same key. */
export const processKey = (c: TurnConfig): string =>
  JSON.stringify({
    system: c.systemPrompt,
    mode: env().CLAUDE_SYSTEM_PROMPT_MODE,
    tools: toolsKey(c.tools),
    output: c.outputSchema ? toolsKey([{ name: "", description: "", parameters: c.outputSchema }]) : null,
  });

/**
 * Set for every `claude` process, over the server's own values: it makes no upstream call its client
 * did not ask for (checked against CLI 2.1.332, see tests/integration/claude-upstream-calls.test.ts).
 * - CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: without it each turn also asked the main model for a
 *   session title ("You are naming a coding session…", max_tokens 128000), and each process (an idle
 *   spare too) sent `HEAD /api/hello` to ANTHROPIC_BASE_URL at start; it also turns telemetry and
 *   auto-updates off.
 * - CLAUDE_CODE_DISABLE_TERMINAL_TITLE: the title call's own switch (the CLI checks either).
 * - DISABLE_AUTOUPDATER, DISABLE_TELEMETRY: updates and telemetry by their own switches too.
 * - DISABLE_ERROR_REPORTING: crash reports, which the first switch does not cover.
 * DISABLE_NON_ESSENTIAL_MODEL_CALLS is not read by this CLI.
 */
const QUIET_CLAUDE_ENV: Readonly<Record<string, string>> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  CLAUDE_CODE_DISABLE_TERMINAL_TITLE: "1",
  DISABLE_AUTOUPDATER: "1",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
};

/**
 * Options every process gets, whatever it serves: the binary (CLAUDE_BIN or the SDK's own), the
 * server's environment less its secrets plus QUIET_CLAUDE_ENV (the SDK's `env` replaces, it does not
 * merge), token deltas, and permission skipping only when CLAUDE_SKIP_PERMS is set. No request field
 * reaches these.
 */
export function hostOptions(): Options {
  const e = env();
  const bin = findClaude();
  if (!bin) throw binaryMissing(e.CLAUDE_BIN ? `CLAUDE_BIN=${e.CLAUDE_BIN} is not an executable` : "no `claude` found");
  return {
    pathToClaudeCodeExecutable: bin.path,
    env: childProcessEnv(QUIET_CLAUDE_ENV),
    includePartialMessages: true,
    systemPrompt: { type: "preset", preset: "claude_code", snapshot: false },
    ...(e.CLAUDE_SKIP_PERMS ? { permissionMode: "bypassPermissions", allowDangerouslySkipPermissions: true } : {}),
  };
}

/**
 * The system prompt option for a turn's configuration (CLAUDE_SYSTEM_PROMPT_MODE). Never recorded in
 * the session (`snapshot: false`): a resumed session takes the system prompt its request sends now.
 */
function systemPrompt(c: TurnConfig): Options["systemPrompt"] {
  if (!c.systemPrompt) return { type: "preset", preset: "claude_code", snapshot: false };
  if (env().CLAUDE_SYSTEM_PROMPT_MODE === "replace") return { type: "custom", prompt: c.systemPrompt, snapshot: false };
  return { type: "preset", preset: "claude_code", append: c.systemPrompt, snapshot: false };
}

/**
 * The client's tools: an in-process MCP server whose calls wait for the client (up to
 * CLAUDE_TOOL_WAIT_MS), allowed by name; Claude Code's own tools are off unless CLAUDE_KEEP_BUILTIN_TOOLS.
 */
function toolOptions(c: TurnConfig, waits: ToolWaits): Options {
  if (!c.tools.length) return {};
  const e = env();
  return {
    mcpServers: { [CLIENT_SERVER]: clientToolServer(c.tools, waits, e.CLAUDE_TOOL_WAIT_MS + 60_000) },
    allowedTools: c.tools.map((t) => `${CLIENT_PREFIX}${t.name}`),
    ...(e.CLAUDE_KEEP_BUILTIN_TOOLS ? {} : { tools: [] }),
  };
}

/** A new process for a turn: a stateless run, a session's new Claude session, or a resume. */
export function coldOptions(
  c: TurnConfig,
  session: { resume?: string; sessionId?: string },
  waits: ToolWaits,
): Options {
  return {
    ...hostOptions(),
    ...toolOptions(c, waits),
    ...(c.outputSchema ? { outputFormat: { type: "json_schema", schema: c.outputSchema } } : {}),
    cwd: workdir(),
    systemPrompt: systemPrompt(c),
    ...(c.model ? { model: c.model } : {}),
    ...(session.resume ? { resume: session.resume } : {}),
    ...(session.sessionId ? { sessionId: session.sessionId } : {}),
  };
}

/** Whether a ready spare (started with the host options and no system prompt) can serve this turn. */
export const spareCanServe = (c: TurnConfig): boolean =>
  !c.tools.length && !c.outputSchema && (c.systemPrompt === null || env().CLAUDE_SYSTEM_PROMPT_MODE === "append");
