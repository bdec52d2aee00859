import { postEmbeddings } from "@/server/http/embeddings";

export const dynamic = "force-dynamic";

// POST is served; the other methods are 405 (recorded), all through the front door.
export {
  postEmbeddings as POST,
  postEmbeddings as GET,
  postEmbeddings as PUT,
  postEmbeddings as PATCH,
  postEmbeddings as DELETE,
};
