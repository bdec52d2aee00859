/**
 * OpenAI messages → what Claude Code receives: the system prompt and one user message (content
 * blocks) written to the live process. Rules:
 * - system/developer messages form the system prompt;
 * - resuming a Claude session: only the messages after the last assistant message are sent;
 * - otherwise earlier turns are rendered as a delimited transcript before the last user message;
 * - image parts (base64 data URLs) become image blocks; text parts become text blocks.
 */
import { textOf } from "../../openai/content";
import { badRequest } from "../../openai/errors";
import { type ChatMessage, DATA_URL } from "../../openai/schemas";

export type ClaudeBlock =
  | { type: "text"; text: string }
  | { type: "image"; source: { type: "base64"; media_type: string; data: string } };

export interface ClaudePrompt {
  systemPrompt: string | null;
  blocks: ClaudeBlock[];
}

const isSystem = (m: ChatMessage) => m.role === "system" || m.role === "developer";

function blocksOf(m: ChatMessage): ClaudeBlock[] {
  if (m.role === "tool") return [{ type: "text", text: `Tool result (${m.tool_call_id}):\n${textOf(m.content)}` }];
  if (m.content == null) return [];
  if (typeof m.content === "string") return m.content ? [{ type: "text", text: m.content }] : [];
  return m.content.flatMap((p): ClaudeBlock[] => {
    if (p.type === "text") return p.text ? [{ type: "text", text: p.text }] : [];
    if (p.type === "image_url") {
      const match = DATA_URL.exec(p.image_url.url);
      return match?.[1] && match[2]
        ? [{ type: "image", source: { type: "base64", media_type: match[1], data: match[2].replace(/\s+/g, "") } }]
        : [];
    }
    return p.refusal ? [{ type: "text", text: p.refusal }] : [];
  });
}

function transcriptLine(m: ChatMessage): string {
  const text = blocksOf(m)
    .map((b) => (b.type === "text" ? b.text : "[image]"))
    .join("\n");
  const calls =
    m.role === "assistant" && m.tool_calls?.length
      ? `\n${m.tool_calls.map((c) => `[called ${c.function.name}(${c.function.arguments})]`).join("\n")}`
      : "";
  return `[${m.role}]\n${text}${calls}`;
}

export function buildPrompt(messages: ChatMessage[], resuming: boolean): ClaudePrompt {
  const system = messages.filter(isSystem);
  const rest = messages.filter((m) => !isSystem(m));
  const systemPrompt = system.length ? system.map((m) => textOf(m.content)).join("\n\n") : null;
  const last = rest.at(-1);
  if (!last || last.role === "assistant") {
    throw badRequest("The last message must be a user (or tool) message for a Claude Code model.", "messages");
  }
  const lastAssistant = rest.findLastIndex((m) => m.role === "assistant");
  if (resuming) {
    const fresh = rest.slice(lastAssistant + 1);
    return { systemPrompt, blocks: fresh.flatMap(blocksOf) };
  }
  // The new turn starts after the last assistant message; everything before is the transcript.
  const earlier = rest.slice(0, lastAssistant + 1);
  const fresh = rest.slice(lastAssistant + 1);
  const blocks = fresh.flatMap(blocksOf);
  if (earlier.length === 0) return { systemPrompt, blocks };
  const transcript = [
    "<conversation_history>",
    "The conversation so far, oldest first. Continue it: answer the user's latest message below.",
    ...earlier.map(transcriptLine),
    "</conversation_history>",
  ].join("\n\n");
  return { systemPrompt, blocks: [{ type: "text", text: transcript }, ...blocks] };
}
