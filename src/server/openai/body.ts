import { ClientCancelled } from "../chat/cancel";
import { ApiError, badRequest } from "./errors";

const tooLarge = (limit: number) =>
  new ApiError(413, `Request body is larger than the limit of ${limit} bytes (MAX_BODY_BYTES).`, {
    code: "request_too_large",
  });

/** Reads at most `limit` bytes of the body and parses it as JSON; 413 past the limit, 400 on bad JSON. */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    // Never read: discard it, so the connection stays usable for the client's next request.
    await request.body?.cancel().catch(() => {});
    throw tooLarge(limit);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch {
        // The client went away (aborted, reset) while sending its body: a cancellation, not our error.
        throw new ClientCancelled("client disconnected while sending the request body");
      }
      const { done, value } = read;
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(
      `We could not parse the JSON body of your request: ${(e as Error).message}. (HINT: send valid JSON with Content-Type: application/json.)`,
      null,
      "invalid_json",
    );
  }
  checkJson(value);
  return value;
}

/** Deepest nesting of arrays and objects accepted in a body (a JSON schema or tool parameters included). */
export const MAX_JSON_DEPTH = 64;

/** With the u flag a surrogate pair is one code point: this matches only unpaired halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const pathOf = (path: (string | number)[]) =>
  path.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${k.slice(0, 64)}` : k.slice(0, 64)),
    "",
  );

/**
 * Refuses, with a 400 naming the place: nesting deeper than MAX_JSON_DEPTH (deeper schemas overflow
 * the stack of whatever walks them later) and strings or keys with a lone UTF-16 surrogate
 * (`"\ud800"`: valid JSON, but no valid text; upstreams and the database refuse it).
 * Iterative, so a hostile depth cannot overflow the stack here either.
 */
export function checkJson(root: unknown): void {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: root, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) {
        throw badRequest(
          `Invalid value for '${pathOf(path) || "body"}': the string holds a lone UTF-16 surrogate (not valid Unicode text).`,
          pathOf(path) || null,
          "invalid_unicode",
        );
      }
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (path.length >= MAX_JSON_DEPTH) {
      throw badRequest(
        `The request body is nested deeper than ${MAX_JSON_DEPTH} levels (at '${pathOf(path.slice(0, 8))}…').`,
        pathOf(path.slice(0, 8)) || null,
        "json_too_deep",
      );
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      continue;
    }
    for (const [k, x] of Object.entries(v)) {
      if (LONE_SURROGATE.test(k)) {
        throw badRequest(
          `Invalid key in '${pathOf(path) || "body"}': it holds a lone UTF-16 surrogate (not valid Unicode text).`,
          pathOf(path) || null,
          "invalid_unicode",
        );
      }
      stack.push({ v: x, path: [...path, k] });
    }
  }
}
