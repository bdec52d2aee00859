import "server-only";
import type { Options } from "@anthropic-ai/claude-agent-sdk";
import { env } from "../../env";
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
import type { Placement } from "./workspace";

/** What a turn needs from its process. `model` can change on a live process; the rest cannot. */
export interface TurnConfig {
  /** null: Claude Code's own default model. */
  model: string | null;
  systemPrompt: string | null;
  /** The client's function tools, offered on an in-process MCP server. */
  tools: ClientTool[];
  /** A JSON Schema the answer must fit (response_format), or null. */
  outputSchema: Record<string, unknown> | null;
  /** Where and how its process runs (workspace.ts): the caller's workspace and level. */
  place: Placement;
}

/** What is fixed when a process starts: a live process serves only turns with the same key. */
export const processKey = (c: TurnConfig): string =>
  JSON.stringify({
    place: c.place.key,
    system: c.systemPrompt,
    mode: env().CLAUDE_SYSTEM_PROMPT_MODE,
    tools: toolsKey(c.tools),
    output: c.outputSchema ? toolsKey([{ name: "", description: "", parameters: c.outputSchema }]) : null,
  });

/**
 * Options every process of a placement gets, whatever it serves: the binary (CLAUDE_BIN or the SDK's
 * own), token deltas, and the placement's own (workspace.ts: working directory, environment,
 * permissions, tools, sandbox). No request field reaches these.
 */
export function hostOptions(place: Placement): Options {
  const e = env();
  const bin = findClaude();
  if (!bin) throw binaryMissing(e.CLAUDE_BIN ? `CLAUDE_BIN=${e.CLAUDE_BIN} is not an executable` : "no `claude` found");
  return {
    pathToClaudeCodeExecutable: bin.path,
    includePartialMessages: true,
    // A sub-agent's every API call reaches us (not only its tool calls): the turn's steps show them
    // (steps/claude.ts); the answer never includes them (turn-events.ts skips parent_tool_use_id).
    forwardSubagentText: true,
    systemPrompt: { type: "preset", preset: "claude_code", snapshot: false },
    ...place.options,
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
    ...hostOptions(c.place),
    ...toolOptions(c, waits),
    ...(c.outputSchema ? { outputFormat: { type: "json_schema", schema: c.outputSchema } } : {}),
    systemPrompt: systemPrompt(c),
    ...(c.model ? { model: c.model } : {}),
    ...(session.resume ? { resume: session.resume } : {}),
    ...(session.sessionId ? { sessionId: session.sessionId } : {}),
  };
}

/** Whether a ready spare (started with the host options and no system prompt) can serve this turn. */
export const spareCanServe = (c: TurnConfig): boolean =>
  !c.tools.length && !c.outputSchema && (c.systemPrompt === null || env().CLAUDE_SYSTEM_PROMPT_MODE === "append");
