import { unknownPath } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** `/v1` itself is no endpoint: the same JSON 404 as any unknown /v1 path. */
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = unknownPath();
