import { unknownPath } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** Any unknown /v1 path: a JSON 404 in OpenAI's shape. */
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = unknownPath();
