/** OpenAI chat request → Ollama /api/chat request. */
import type { ChatRequest as OllamaChatRequest, Message as OllamaMessage, Tool as OllamaTool } from "ollama";
import { textOf } from "../../openai/content";
import { type ChatMessage, type ChatRequest, DATA_URL } from "../../openai/schemas";

type Part = { type: string; image_url?: { url: string } };

function imagesOf(content: string | Part[]): string[] {
  if (typeof content === "string") return [];
  return content.flatMap((p) => {
    const m = p.type === "image_url" && p.image_url ? DATA_URL.exec(p.image_url.url) : null;
    return m?.[2] ? [m[2].replace(/\s+/g, "")] : [];
  });
}

/** Tool-call arguments travel as a JSON string in OpenAI and as an object in Ollama. */
export function parseArguments(raw: string): Record<string, unknown> {
  try {
    const v = JSON.parse(raw || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? v : { value: v };
  } catch {
    return { value: raw };
  }
}

export function toOllamaMessages(messages: ChatMessage[]): OllamaMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((m): OllamaMessage => {
    switch (m.role) {
      case "system":
      case "developer":
        return { role: "system", content: textOf(m.content) };
      case "user": {
        const images = imagesOf(m.content);
        return { role: "user", content: textOf(m.content), ...(images.length ? { images } : {}) };
      }
      case "assistant": {
        const calls = m.tool_calls ?? [];
        for (const c of calls) toolNames.set(c.id, c.function.name);
        return {
          role: "assistant",
          content: textOf(m.content),
          ...(m.reasoning_content ? { thinking: m.reasoning_content } : {}),
          ...(calls.length
            ? {
                tool_calls: calls.map((c) => ({
                  function: { name: c.function.name, arguments: parseArguments(c.function.arguments) },
                })),
              }
            : {}),
        };
      }
      default: {
        const name = toolNames.get(m.tool_call_id);
        return { role: "tool", content: textOf(m.content), ...(name ? { tool_name: name } : {}) };
      }
    }
  });
}

function formatOf(rf: ChatRequest["response_format"]): OllamaChatRequest["format"] {
  if (!rf || rf.type === "text") return undefined;
  if (rf.type === "json_object") return "json";
  return rf.json_schema.schema ?? "json";
}

function thinkOf(effort: ChatRequest["reasoning_effort"]): boolean | undefined {
  if (effort == null) return undefined;
  return effort !== "none";
}

/**
 * Ollama cannot force a tool call: `tool_choice: "none"` sends no tools, a named function sends only
 * that tool, and "required" / "auto" send them all (the model may still answer in text).
 */
export function toolsOf(req: ChatRequest): NonNullable<ChatRequest["tools"]> {
  const tools = req.tools ?? [];
  const choice = req.tool_choice;
  if (choice === "none") return [];
  if (choice && typeof choice === "object") return tools.filter((t) => t.function.name === choice.function.name);
  return tools;
}

export function toOllamaRequest(req: ChatRequest, upstreamModel: string, messages: ChatMessage[]): OllamaChatRequest {
  const options: Record<string, unknown> = {
    temperature: req.temperature ?? undefined,
    top_p: req.top_p ?? undefined,
    top_k: req.top_k ?? undefined,
    num_predict: req.max_completion_tokens ?? req.max_tokens ?? undefined,
    stop: req.stop == null ? undefined : Array.isArray(req.stop) ? req.stop : [req.stop],
    seed: req.seed ?? undefined,
    presence_penalty: req.presence_penalty ?? undefined,
    frequency_penalty: req.frequency_penalty ?? undefined,
  };
  const tools = toolsOf(req);
  const think = thinkOf(req.reasoning_effort);
  return {
    model: upstreamModel,
    messages: toOllamaMessages(messages),
    stream: true,
    options: Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    ...(formatOf(req.response_format) !== undefined ? { format: formatOf(req.response_format) } : {}),
    ...(tools.length ? { tools: tools as OllamaTool[] } : {}),
    ...(think !== undefined ? { think } : {}),
  };
}
