import "server-only";
import { createEmbeddings } from "../embeddings";
import { recordedEndpoint } from "./recorded";

/** POST /v1/embeddings. */
export const postEmbeddings = recordedEndpoint(async (body, recorder, request) =>
  Response.json(await createEmbeddings(body, recorder, request.signal)),
);
