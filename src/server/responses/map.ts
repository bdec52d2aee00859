/**
 * The one mapping between the Responses API and the chat service: a Responses request becomes a
 * ChatRequest (instructions and input items → messages, function tools, tool_choice, text.format,
 * max_output_tokens, reasoning.effort), so every backend that serves chat serves Responses too.
 */
import type { FunctionTool, ResponseInputItem, ResponsesRequest } from "../openai/responses-schema";
import { functionToolSchema } from "../openai/responses-schema";
import { type ChatMessage, type ChatRequest, parseChatRequest } from "../openai/schemas";

type Part = Extract<ResponseInputItem, { type: "message" }>["content"];
type UserPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

function userParts(content: Part): string | UserPart[] {
  if (typeof content === "string") return content;
  return content.flatMap((p): UserPart[] => {
    if (p.type === "input_image") return p.image_url ? [{ type: "image_url", image_url: { url: p.image_url } }] : [];
    if (p.type === "refusal") return [{ type: "text", text: p.refusal }];
    return [{ type: "text", text: p.text }];
  });
}

const textOfParts = (content: Part): string =>
  typeof content === "string"
    ? content
    : content.map((p) => (p.type === "refusal" ? p.refusal : p.type === "input_image" ? "" : p.text)).join("");

/** Input items → chat messages: consecutive function calls join the assistant message before them. */
export function toMessages(instructions: string | null | undefined, input: ResponsesRequest["input"]): ChatMessage[] {
  const out: ChatMessage[] = instructions ? [{ role: "system", content: instructions }] : [];
  if (typeof input === "string") return [...out, { role: "user", content: input }];
  for (const item of input) {
    if (item.type === "reasoning" || item.type === "mcp_call") continue;
    if (item.type === "message") {
      if (item.role === "user") out.push({ role: "user", content: userParts(item.content) });
      else if (item.role === "assistant") out.push({ role: "assistant", content: textOfParts(item.content) });
      else out.push({ role: item.role, content: textOfParts(item.content) });
      continue;
    }
    if (item.type === "function_call") {
      const call = {
        id: item.call_id,
        type: "function" as const,
        function: { name: item.name, arguments: item.arguments },
      };
      const last = out.at(-1);
      if (last?.role === "assistant") last.tool_calls = [...(last.tool_calls ?? []), call];
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
      continue;
    }
    const output =
      typeof item.output === "string"
        ? item.output
        : item.output.map((p) => (p.type === "input_text" ? p.text : "[image]")).join("");
    out.push({ role: "tool", tool_call_id: item.call_id, content: output });
  }
  return out;
}

/** The function tools of a request; other tool types (web_search, namespace, file_search…) are not served. */
export function functionTools(req: ResponsesRequest): FunctionTool[] {
  return (req.tools ?? []).flatMap((t) => {
    const r = functionToolSchema.safeParse(t);
    return r.success ? [r.data] : [];
  });
}

function toolChoiceOf(req: ResponsesRequest, names: string[]): ChatRequest["tool_choice"] {
  const c = req.tool_choice;
  if (c == null) return undefined;
  if (typeof c === "string") return c;
  if (c.type === "function" && typeof c.name === "string") {
    // A named tool that is not a function tool we serve (a hosted tool, say) is left to the model.
    return names.includes(c.name) ? { type: "function", function: { name: c.name } } : "auto";
  }
  return "auto";
}

function responseFormatOf(req: ResponsesRequest): ChatRequest["response_format"] {
  const f = req.text?.format;
  if (!f || f.type === "text") return undefined;
  if (f.type === "json_object") return { type: "json_object" };
  return {
    type: "json_schema",
    json_schema: { name: f.name, schema: f.schema, description: f.description ?? undefined, strict: f.strict },
  };
}

const EFFORTS = ["none", "minimal", "low", "medium", "high"] as const;

function effortOf(req: ResponsesRequest): ChatRequest["reasoning_effort"] {
  const e = req.reasoning?.effort;
  if (e == null) return undefined;
  return (EFFORTS as readonly string[]).includes(e) ? (e as (typeof EFFORTS)[number]) : "high";
}

/** The chat request a Responses request runs as (validated like any chat request). */
export function toChatRequest(req: ResponsesRequest): ChatRequest {
  const tools = functionTools(req);
  const names = tools.map((t) => t.name);
  const body = {
    model: req.model,
    messages: toMessages(req.instructions, req.input),
    stream: req.stream ?? false,
    temperature: req.temperature ?? undefined,
    top_p: req.top_p ?? undefined,
    max_completion_tokens: req.max_output_tokens ?? undefined,
    response_format: responseFormatOf(req),
    tools: tools.length
      ? tools.map((t) => ({
          type: "function" as const,
          function: {
            name: t.name,
            description: t.description ?? undefined,
            parameters: t.parameters ?? undefined,
            strict: t.strict,
          },
        }))
      : undefined,
    tool_choice: tools.length ? toolChoiceOf(req, names) : undefined,
    parallel_tool_calls: req.parallel_tool_calls ?? undefined,
    reasoning_effort: effortOf(req),
    user: req.user ?? undefined,
  };
  return parseChatRequest(JSON.parse(JSON.stringify(body)));
}
