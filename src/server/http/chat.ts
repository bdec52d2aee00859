import "server-only";
import { runChat } from "../chat";
import { parseChatRequest } from "../openai/schemas";
import { SSE_HEADERS } from "../openai/sse";
import { type Admitted, type Endpoint, frontDoor } from "./front-door";

/** What differs for chat completions: the body schema and the wire format (JSON or SSE chunks). */
const completions = (caller: "v1" | "console"): Endpoint<ReturnType<typeof parseChatRequest>> => ({
  methods: ["POST"],
  caller,
  body: parseChatRequest,
  model: (chat) => chat.model,
  async handle(call) {
    const out = await runChat({
      request: call.body,
      model: modelOf(call),
      sessionId: call.sessionId,
      recorder: call.recorder,
      principal: call.principal,
      signal: call.request.signal,
    });
    if (out.kind === "stream") return new Response(out.body, { headers: SSE_HEADERS });
    return Response.json(out.body);
  },
});

/** The resolved model of an endpoint that declares one (the front door resolves it before the service). */
export const modelOf = <B>(call: Admitted<B>) => {
  if (!call.model) throw new Error("this endpoint declares no model");
  return call.model;
};

/** POST /v1/chat/completions. */
export const chatCompletions = frontDoor(completions("v1"));

/** The console's playground: the same endpoint, signed in by the console login. */
export const playgroundChat = frontDoor(completions("console"));
