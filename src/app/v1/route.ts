import { apiRoute } from "@/server/http/handler";
import { ApiError } from "@/server/openai/errors";

export const dynamic = "force-dynamic";

/** `/v1` itself is no endpoint: the same JSON 404 as any unknown /v1 path (src/app/v1/[...path]). */
const unknownPath = apiRoute(async (_req, ctx) => {
  throw new ApiError(404, `Unknown request URL: ${ctx.method} ${ctx.path}.`, { code: "unknown_url" });
});

export const GET = unknownPath;
export const POST = unknownPath;
export const PUT = unknownPath;
export const PATCH = unknownPath;
export const DELETE = unknownPath;
