import "server-only";
import { anthropicErrorResponse } from "../anthropic/errors";
import { messagesFormat } from "../anthropic/format";
import { toChatRequest } from "../anthropic/map";
import { type MessagesRequest, parseMessagesRequest } from "../anthropic/schema";
import { runChat } from "../chat";
import { ApiError } from "../openai/errors";
import { SSE_HEADERS } from "../openai/sse";
import { modelOf } from "./chat";
import { frontDoor } from "./front-door";

/** The message id of a request: `msg_` and the record's own id, so one leads to the other. */
const messageIdOf = (requestId: string) => `msg_${requestId.replace(/^req_/, "")}`;

/** POST /v1/messages (also `?beta=true`, as Claude Code sends it): Anthropic's Messages API on both backends. */
export const postMessages = frontDoor<MessagesRequest>({
  methods: ["POST"],
  body: parseMessagesRequest,
  model: (req) => req.model,
  renderError: anthropicErrorResponse,
  async handle(call) {
    const model = modelOf(call);
    const out = await runChat({
      request: toChatRequest(call.body),
      model,
      sessionId: call.sessionId,
      recorder: call.recorder,
      principal: call.principal,
      signal: call.request.signal,
      format: messagesFormat(messageIdOf(call.recorder.ctx.id), model.name),
    });
    const headers = { "request-id": call.recorder.ctx.id };
    if (out.kind === "stream") return new Response(out.body, { headers: { ...SSE_HEADERS, ...headers } });
    return Response.json(out.body, { headers });
  },
});

/**
 * POST /v1/messages/count_tokens: no backend here counts a prompt's tokens without running it (Claude
 * Code adds its own system prompt and tools; Ollama counts only by evaluating), and an estimate is never
 * presented as a count. So: 404 in Anthropic's shape, after the same checks as any model request, and
 * clients (Claude Code, the SDKs) fall back to their own estimate.
 */
export const countTokens = frontDoor<{ model: string }>({
  methods: ["POST"],
  body: (raw) => {
    const model = (raw as { model?: unknown } | null)?.model;
    if (typeof model !== "string" || model === "") {
      throw new ApiError(400, "model: Field required", { param: "model", code: "missing_required_parameter" });
    }
    return { model };
  },
  model: (req) => req.model,
  sessions: false,
  renderError: anthropicErrorResponse,
  handle: async (call) => {
    throw new ApiError(
      404,
      `Token counting is not available for \`${modelOf(call).requested.slice(0, 100)}\`: the backend cannot count a prompt without running it. Estimate locally.`,
      { code: "count_tokens_unsupported" },
    );
  },
});
