import "server-only";
import { createEmbeddings } from "../embeddings";
import { type EmbeddingsRequest, parseEmbeddingsRequest } from "../openai/embeddings-schema";
import { modelOf } from "./chat";
import { frontDoor } from "./front-door";

/** POST /v1/embeddings. X-Session-ID means nothing here: it is not read (nothing is kept in a session). */
export const postEmbeddings = frontDoor<EmbeddingsRequest>({
  methods: ["POST"],
  body: parseEmbeddingsRequest,
  model: (req) => req.model,
  sessions: false,
  handle: async (call) =>
    Response.json(await createEmbeddings(call.body, modelOf(call), call.recorder, call.request.signal)),
});
