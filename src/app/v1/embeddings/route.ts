import { postEmbeddings } from "@/server/http/embeddings";
import { otherMethods } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const POST = postEmbeddings;
export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
