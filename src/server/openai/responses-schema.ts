/** zod schema of the Responses API request (`POST /v1/responses`), and its parse into a typed value or a 400. */
import { z } from "zod";
import { badRequest } from "./errors";
import { DATA_URL } from "./schemas";

const inputText = z.object({ type: z.literal("input_text"), text: z.string() });
const outputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });
const inputImage = z.looseObject({
  type: z.literal("input_image"),
  image_url: z
    .string()
    .regex(DATA_URL, "only base64 data URLs (data:image/...;base64,...) are supported for images")
    .nullish(),
  file_id: z.null({ error: "file ids are not supported; send the image as a base64 data URL" }).optional(),
  detail: z.enum(["auto", "low", "high", "original"]).nullish(),
});
const contentPart = z.discriminatedUnion("type", [inputText, inputImage, outputText, refusal]);

const message = z.object({
  type: z.literal("message"),
  role: z.enum(["user", "system", "developer", "assistant"]),
  content: z.union([z.string(), z.array(contentPart)]),
  id: z.string().nullish(),
  status: z.string().nullish(),
  phase: z.unknown().optional(),
});
const functionCall = z.object({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().nullish(),
  status: z.string().nullish(),
  namespace: z.string().nullish(),
});
const functionCallOutput = z.object({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.discriminatedUnion("type", [inputText, inputImage]))]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});
/** Reasoning items a client sends back (Codex does) are accepted and not sent upstream. */
const reasoning = z.looseObject({ type: z.literal("reasoning") });
/** The steps of an earlier answer (mcp_call items, steps/feed.ts) a client sends back: accepted, not sent upstream. */
const mcpCall = z.looseObject({ type: z.literal("mcp_call") });

/** An input item; a message may omit `type` (EasyInputMessage). */
const inputItem = z.preprocess(
  (v) => (v && typeof v === "object" && !("type" in v) && "role" in v ? { ...v, type: "message" } : v),
  z.discriminatedUnion("type", [message, functionCall, functionCallOutput, reasoning, mcpCall], {
    error: (issue) =>
      issue.code === "invalid_union"
        ? "supported input items are message, function_call, function_call_output, reasoning and mcp_call"
        : undefined,
  }),
);

/** Any tool; only `function` tools are served, the others are accepted and not used (see docs/openai-clients.md, Responses API). */
const tool = z.looseObject({ type: z.string() });
export const functionToolSchema = z.object({
  type: z.literal("function"),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes"),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const textFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().nullish(),
    strict: z.boolean().nullish(),
  }),
]);

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), name: z.string() }),
  z.looseObject({ type: z.string() }),
]);

// Unknown fields are tolerated (Codex sends include, prompt_cache_key, client_metadata…).
export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1, "must be a non-empty string"),
  input: z.union([z.string(), z.array(inputItem).min(1, "must contain at least one item")]),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  text: z.looseObject({ format: textFormat.nullish() }).nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
  user: z.string().nullish(),
  background: z.boolean().nullish(),
});

export type ResponsesRequest = z.output<typeof responsesRequestSchema>;
export type ResponseInputItem = Exclude<ResponsesRequest["input"], string>[number];
export type FunctionTool = z.output<typeof functionToolSchema>;

const paramOf = (path: PropertyKey[]) =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );

type Issue = z.core.$ZodIssue;

/** The most specific issue: inside a union (string or items, say), the branch issue that got furthest. */
function deepest(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || !issue.errors.length) return issue;
  const inner = issue.errors
    .flat()
    .map((i) => deepest({ ...i, path: [...issue.path, ...i.path] } as Issue))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return inner && inner.path.length > issue.path.length ? inner : issue;
}

/** A body against `schema`, or a 400 naming the first bad parameter the way OpenAI does. */
export function parseWith<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const issue = first ? deepest(first) : undefined;
  const param = issue ? paramOf(issue.path) : null;
  const message = issue ? `Invalid value for '${param || "body"}': ${issue.message}.` : `The body is not ${what}.`;
  const missing = issue?.code === "invalid_type" && /received undefined/.test(issue.message);
  throw badRequest(message, param || null, missing ? "missing_required_parameter" : "invalid_value");
}

export function parseResponsesRequest(body: unknown): ResponsesRequest {
  const req = parseWith(responsesRequestSchema, body, "a Responses API request");
  (req.tools ?? []).forEach((t, i) => {
    if (t.type !== "function") return;
    const r = functionToolSchema.safeParse(t);
    if (!r.success) {
      const issue = r.error.issues[0];
      const param = `tools[${i}]${issue?.path.length ? `.${paramOf(issue.path)}` : ""}`;
      throw badRequest(
        `Invalid value for '${param}': ${issue?.message ?? "not a function tool"}.`,
        param,
        "invalid_value",
      );
    }
  });
  return req;
}
