import { ApiError, badRequest } from "./errors";

const tooLarge = (limit: number) =>
  new ApiError(413, `Request body is larger than the limit of ${limit} bytes (MAX_BODY_BYTES).`, {
    code: "request_too_large",
  });

/** Reads at most `limit` bytes of the body and parses it as JSON; 413 past the limit, 400 on bad JSON. */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw badRequest("The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(
      `We could not parse the JSON body of your request: ${(e as Error).message}. (HINT: send valid JSON with Content-Type: application/json.)`,
      null,
      "invalid_json",
    );
  }
}
