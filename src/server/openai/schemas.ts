/** zod schemas for the OpenAI chat completion request, and its parse into a typed value or a 400. */
import { z } from "zod";
import { badRequest, echo } from "./errors";

/** `data:image/png;base64,AAAA`: the only image form accepted (no fetching of remote URLs). */
export const DATA_URL = /^data:(image\/[a-zA-Z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+)$/;

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({
    url: z.string().regex(DATA_URL, "only base64 data URLs (data:image/...;base64,...) are supported for images"),
    detail: z.enum(["auto", "low", "high"]).optional(),
  }),
});
const refusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });

const textContent = z.union([z.string(), z.array(textPart)]);
const userContent = z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, imagePart]))]);

export const toolCallSchema = z.object({
  id: z.string().min(1),
  type: z.literal("function").default("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const systemMessage = z.object({ role: z.literal("system"), content: textContent, name: z.string().optional() });
const developerMessage = z.object({ role: z.literal("developer"), content: textContent, name: z.string().optional() });
const userMessage = z.object({ role: z.literal("user"), content: userContent, name: z.string().optional() });
const assistantMessage = z.object({
  role: z.literal("assistant"),
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, refusalPart]))]).nullish(),
  name: z.string().optional(),
  refusal: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  reasoning_content: z.string().nullish(),
});
const toolMessage = z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1) });

export const messageSchema = z.discriminatedUnion("role", [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
]);

const functionTool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);

// Unknown fields are tolerated (SDKs send `user`, `metadata`, `store`…); known ones are checked.
export const chatRequestSchema = z.looseObject({
  model: z.string().min(1, "must be a non-empty string"),
  messages: z.array(messageSchema).min(1, "must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  /** Not OpenAI's: Anthropic's (and vLLM's) top_k, honoured by Ollama. */
  top_k: z.number().int().min(0).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  n: z.literal(1, { error: "only n=1 is supported" }).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  response_format: responseFormat.nullish(),
  tools: z.array(functionTool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high"]).nullish(),
  user: z.string().nullish(),
});

export type ChatRequest = z.output<typeof chatRequestSchema>;
export type ChatMessage = z.output<typeof messageSchema>;
export type ToolCall = z.output<typeof toolCallSchema>;

/** `messages[0].content` style path, the way OpenAI names a bad parameter. */
function paramOf(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );
}

/** As OpenAI does: a named tool_choice must name one of `tools`, and "required" needs tools. */
function checkToolChoice(req: ChatRequest): ChatRequest {
  const choice = req.tool_choice;
  const names = (req.tools ?? []).map((t) => t.function.name);
  if (choice && typeof choice === "object" && !names.includes(choice.function.name)) {
    throw badRequest(
      `Invalid value for 'tool_choice': no function named '${echo(choice.function.name, 64)}' in 'tools'.`,
      "tool_choice",
      "invalid_value",
    );
  }
  if (choice === "required" && names.length === 0) {
    throw badRequest("Invalid value for 'tool_choice': 'required' needs 'tools'.", "tool_choice", "invalid_value");
  }
  return req;
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  const result = chatRequestSchema.safeParse(body);
  if (result.success) return checkToolChoice(result.data);
  const issue = result.error.issues[0];
  const param = issue ? paramOf(issue.path) : null;
  const message = issue
    ? `Invalid value for '${param || "body"}': ${issue.message}.`
    : "The request body does not match the chat completion schema.";
  const missing = issue?.code === "invalid_type" && /received undefined/.test(issue.message);
  throw badRequest(message, param || null, missing ? "missing_required_parameter" : "invalid_value");
}
