/**
 * The one mapping between Anthropic's Messages API and the chat service: a Messages request becomes a
 * ChatRequest (system → a system message, blocks → OpenAI messages, tool_use/tool_result → tool calls and
 * tool messages, tools, tool_choice, thinking, stop_sequences, max_tokens), so every backend that serves
 * chat serves Messages too.
 */
import { badRequest, echo } from "../openai/errors";
import type { ChatMessage, ChatRequest } from "../openai/schemas";
import type { AnthropicMessage, Block, MessagesRequest } from "./schema";

type UserPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };
type ImageBlock = Extract<Block, { type: "image" }>;

const dataUrl = (b: ImageBlock): string => {
  const s = b.source as { media_type: string; data: string };
  return `data:${s.media_type};base64,${s.data}`;
};

const textOf = (content: string | { type: string; text?: string }[] | undefined): string =>
  typeof content === "string"
    ? content
    : (content ?? []).map((b) => (b.type === "text" ? (b.text ?? "") : "")).join("");

/** A user message: its tool results become tool messages (first, as Anthropic orders them), the rest one user message. */
function userMessages(content: AnthropicMessage["content"]): ChatMessage[] {
  if (typeof content === "string") return [{ role: "user", content }];
  const out: ChatMessage[] = [];
  const parts: UserPart[] = [];
  for (const b of content) {
    if (b.type === "text") parts.push({ type: "text", text: b.text });
    else if (b.type === "image") parts.push({ type: "image_url", image_url: { url: dataUrl(b) } });
    else if (b.type === "tool_result") {
      const result = textOf(b.content as { type: string; text?: string }[] | string | undefined);
      out.push({ role: "tool", tool_call_id: b.tool_use_id, content: b.is_error ? `Error: ${result}` : result });
      // Images a tool returned go to the model as the user's, right after the results.
      if (Array.isArray(b.content)) {
        for (const c of b.content)
          if (c.type === "image") parts.push({ type: "image_url", image_url: { url: dataUrl(c) } });
      }
    }
    // thinking blocks in a user turn mean nothing: left out
  }
  if (parts.length > 0)
    out.push({ role: "user", content: parts.every((p) => p.type === "text") ? textOf(parts) : parts });
  return out;
}

/** An assistant message: text, tool calls (input as a JSON string) and thinking (as reasoning_content). */
function assistantMessage(content: AnthropicMessage["content"]): ChatMessage {
  if (typeof content === "string") return { role: "assistant", content };
  let text = "";
  let reasoning = "";
  const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
  for (const b of content) {
    if (b.type === "text") text += b.text;
    else if (b.type === "thinking") reasoning += b.thinking;
    else if (b.type === "tool_use") {
      calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  return {
    role: "assistant",
    content: calls.length && !text ? null : text,
    ...(reasoning ? { reasoning_content: reasoning } : {}),
    ...(calls.length ? { tool_calls: calls } : {}),
  };
}

export function toMessages(req: MessagesRequest): ChatMessage[] {
  const system = typeof req.system === "string" ? req.system : (req.system ?? []).map((b) => b.text).join("\n\n");
  const out: ChatMessage[] = system ? [{ role: "system", content: system }] : [];
  for (const m of req.messages) {
    if (m.role === "user") out.push(...userMessages(m.content));
    else if (m.role === "system")
      out.push({ role: "system", content: textOf(m.content as { type: string; text?: string }[] | string) });
    else out.push(assistantMessage(m.content));
  }
  return out;
}

/** The client's custom tools (server tools such as web_search are not offered: no backend here runs them). */
export const customTools = (req: MessagesRequest) =>
  (req.tools ?? []).filter((t) => t.type === undefined || t.type === "custom");

function toolChoiceOf(req: MessagesRequest, names: string[]): ChatRequest["tool_choice"] {
  const c = req.tool_choice;
  if (!c || c.type === "auto") return undefined;
  if (c.type === "none") return "none";
  if (names.length === 0) throw badRequest(`tool_choice: "${c.type}" needs tools`, "tool_choice", "invalid_value");
  if (c.type === "any") return "required";
  if (!names.includes(c.name)) {
    throw badRequest(`tool_choice.name: no tool named '${echo(c.name, 64)}' in tools`, "tool_choice", "invalid_value");
  }
  return { type: "function", function: { name: c.name } };
}

/** Anthropic's thinking switch as the chat service's: off, or on (the budget is the backend's business). */
function effortOf(req: MessagesRequest): ChatRequest["reasoning_effort"] {
  if (!req.thinking) return undefined;
  return req.thinking.type === "disabled" ? "none" : "medium";
}

/** The chat request a Messages request runs as (already checked by the Messages schema). */
export function toChatRequest(req: MessagesRequest): ChatRequest {
  const tools = customTools(req);
  const choice = req.tool_choice;
  return {
    model: req.model,
    messages: toMessages(req),
    stream: req.stream ?? false,
    temperature: req.temperature,
    top_p: req.top_p,
    top_k: req.top_k,
    max_tokens: req.max_tokens,
    stop: req.stop_sequences?.length ? req.stop_sequences : undefined,
    tools: tools.length
      ? tools.map((t) => ({
          type: "function" as const,
          function: { name: t.name, description: t.description, parameters: t.input_schema ?? { type: "object" } },
        }))
      : undefined,
    tool_choice: toolChoiceOf(
      req,
      tools.map((t) => t.name),
    ),
    parallel_tool_calls:
      choice && "disable_parallel_tool_use" in choice && choice.disable_parallel_tool_use ? false : undefined,
    reasoning_effort: effortOf(req),
    user: req.metadata?.user_id ?? undefined,
  } as ChatRequest;
}
