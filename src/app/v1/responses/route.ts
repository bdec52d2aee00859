import { otherMethods } from "@/server/http/handler";
import { postResponses } from "@/server/http/responses";

export const dynamic = "force-dynamic";

export const POST = postResponses;
export const { GET, PUT, PATCH, DELETE } = otherMethods(["POST"]);
