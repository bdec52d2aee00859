/** zod schema of Anthropic's `POST /v1/messages` request, and its parse into a typed value or a 400. */
import { z } from "zod";
import { badRequest } from "../openai/errors";

// Unknown fields are accepted everywhere (Claude Code sends betas paired with body fields:
// context_management, output_config, `strict` on tools, cache_control on blocks); known ones are checked.
const text = z.looseObject({ type: z.literal("text"), text: z.string() });
const image = z.looseObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.looseObject({ type: z.literal("base64"), media_type: z.string().regex(/^image\//), data: z.string() }),
    z.looseObject({ type: z.literal("url"), url: z.string() }).refine(() => false, {
      message: "only base64 images are supported (a URL source is not fetched)",
    }),
  ]),
});
const toolUse = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});
const toolResult = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [text, image]))]).optional(),
  is_error: z.boolean().optional(),
});
const thinking = z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() });
const redactedThinking = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });

const block = z.discriminatedUnion("type", [text, image, toolUse, toolResult, thinking, redactedThinking]);
export type Block = z.output<typeof block>;

// Claude Code also puts `role: "system"` entries into `messages` (reminders between turns).
const message = z.object({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(block)]),
});
export type AnthropicMessage = z.output<typeof message>;

/** A custom tool; server tools (with a `type` of their own, e.g. web_search_…) are accepted and not offered. */
const tool = z.looseObject({
  type: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});

const toolChoice = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({
    type: z.literal("tool"),
    name: z.string().min(1),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.looseObject({ type: z.literal("none") }),
]);

const thinkingConfig = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().min(0) }),
  z.looseObject({ type: z.literal("adaptive") }),
  z.looseObject({ type: z.literal("disabled") }),
]);

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1, "must be a non-empty string"),
  max_tokens: z.number().int().positive(),
  messages: z.array(message).min(1, "must contain at least one message"),
  system: z.union([z.string(), z.array(text)]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinkingConfig.optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

export type MessagesRequest = z.output<typeof messagesRequestSchema>;

const pathOf = (path: PropertyKey[]) =>
  path.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}.${k}` : acc ? `${acc}.${String(k)}` : String(k)),
    "",
  );

/** The body as a Messages request, or a 400 naming the field the way Anthropic does (`messages.0.content`). */
export function parseMessagesRequest(body: unknown): MessagesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  const result = messagesRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? pathOf(issue.path) : "";
  const missing = issue?.code === "invalid_type" && /received undefined/.test(issue.message);
  const message = missing ? `${field}: Field required` : `${field || "body"}: ${issue?.message ?? "invalid value"}`;
  throw badRequest(message, field || null, missing ? "missing_required_parameter" : "invalid_value");
}
