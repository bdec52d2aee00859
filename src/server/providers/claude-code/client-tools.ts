import "server-only";
import { createHash } from "node:crypto";
import type { McpSdkServerConfigWithInstance } from "@anthropic-ai/claude-agent-sdk";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { ChatRequest } from "../../openai/schemas";

/** The in-process MCP server that carries a client's function tools; Claude sees `mcp__client__<name>`. */
export const CLIENT_SERVER = "client";
export const CLIENT_PREFIX = `mcp__${CLIENT_SERVER}__`;

export interface ClientTool {
  name: string;
  description: string;
  /** The client's JSON Schema, passed on as it is. */
  parameters: Record<string, unknown>;
}

/** What a tool handler answers Claude: the client's result text (an error when the client said so). */
export interface ToolAnswer {
  text: string;
  isError?: boolean;
}

/**
 * The tool calls a process is waiting on, by Claude's tool_use id: the handler (called by the CLI)
 * and the HTTP leg that hands the client's result over meet here, whichever comes first.
 */
export class ToolWaits {
  private readonly waits = new Map<string, { promise: Promise<ToolAnswer>; resolve: (a: ToolAnswer) => void }>();

  private entry(id: string) {
    let e = this.waits.get(id);
    if (!e) {
      let resolve!: (a: ToolAnswer) => void;
      const promise = new Promise<ToolAnswer>((r) => {
        resolve = r;
      });
      e = { promise, resolve };
      this.waits.set(id, e);
    }
    return e;
  }

  wait(id: string): Promise<ToolAnswer> {
    return this.entry(id).promise;
  }

  answer(id: string, a: ToolAnswer): void {
    this.entry(id).resolve(a);
  }

  /** Ends every wait (the process is going away). */
  abandon(): void {
    for (const e of this.waits.values()) e.resolve({ text: "The client did not return a result.", isError: true });
    this.waits.clear();
  }
}

/** The function tools a request offers Claude (none for tool_choice "none"; only the named one when named). */
export function clientTools(request: ChatRequest): ClientTool[] {
  const tools = (request.tools ?? []).filter((t) => t.type === "function");
  const choice = request.tool_choice;
  if (!tools.length || choice === "none") return [];
  const named = typeof choice === "object" && choice && "function" in choice ? choice.function.name : null;
  return tools
    .filter((t) => !named || t.function.name === named)
    .map((t) => {
      // As for response_format: no `$schema` URL, which Claude Code's validator cannot resolve.
      const { $schema: _, ...parameters } = (t.function.parameters as Record<string, unknown> | undefined) ?? {};
      return {
        name: t.function.name,
        description: t.function.description ?? "",
        parameters: Object.keys(parameters).length ? parameters : { type: "object", properties: {} },
      };
    });
}

/** A fingerprint of a tool set: a process offers the tools it started with, so the set is part of its key. */
export const toolsKey = (tools: ClientTool[]): string =>
  tools.length ? createHash("sha256").update(JSON.stringify(tools)).digest("hex").slice(0, 16) : "";

/**
 * An MCP server (the SDK runs it in this process) listing the client's tools with their JSON Schemas
 * as they are, and whose calls wait in `waits` for the client's results, keyed by Claude's tool_use id.
 */
export function clientToolServer(
  tools: ClientTool[],
  waits: ToolWaits,
  timeoutMs: number,
): McpSdkServerConfigWithInstance {
  const mcp = new McpServer({ name: CLIENT_SERVER, version: "1.0.0" });
  mcp.server.registerCapabilities({ tools: {} });
  mcp.server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: { type: "object", ...t.parameters } as { type: "object" },
      // Always in the prompt, never deferred behind tool search.
      _meta: { "anthropic/alwaysLoad": true },
    })),
  }));
  mcp.server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const id = String((req.params._meta as Record<string, unknown> | undefined)?.["claudecode/toolUseId"] ?? "");
    const a = await waits.wait(id);
    return { content: [{ type: "text" as const, text: a.text }], ...(a.isError ? { isError: true } : {}) };
  });
  return { type: "sdk", name: CLIENT_SERVER, instance: mcp, timeout: timeoutMs };
}
