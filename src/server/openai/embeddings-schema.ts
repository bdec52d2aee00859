/** zod schema of `POST /v1/embeddings`. */
import { z } from "zod";
import { parseWith } from "./responses-schema";

/** OpenAI's limit on the number of inputs of one request. */
export const MAX_EMBEDDING_INPUTS = 2048;

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
const TOKENS = "token arrays are not supported; send the text";

/**
 * `input`: a non-empty string or 1..2048 non-empty strings. Checked by hand rather than as a zod union, so that each
 * wrong shape gets its own message: a union reports the branch that got furthest (2,049 strings were "`input[0]`:
 * expected number", from the token-array branch).
 */
const input = z.unknown().transform((v, ctx): string | string[] => {
  const fail = (message: string, path: number[] = []) => {
    ctx.addIssue({ code: "custom", message, path });
    return z.NEVER;
  };
  if (typeof v === "string") return v ? v : fail("must not be empty");
  if (!Array.isArray(v)) {
    // invalid_type "… received undefined" is how parseWith tells a missing parameter.
    ctx.addIssue({
      code: "invalid_type",
      expected: "string",
      message: `expected a string or an array of strings, received ${kind(v)}`,
    });
    return z.NEVER;
  }
  if (v.length === 0) return fail("must not be an empty array");
  if (v.every((x) => typeof x === "number") || v.every(Array.isArray)) return fail(TOKENS);
  if (v.length > MAX_EMBEDDING_INPUTS) {
    return fail(`the input has ${v.length} items; at most ${MAX_EMBEDDING_INPUTS} are allowed per request`);
  }
  for (const [i, x] of v.entries()) {
    if (typeof x !== "string") return fail(`expected a string, received ${kind(x)}`, [i]);
    if (!x) return fail("must not be empty", [i]);
  }
  return v as string[];
});

export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1, "must be a non-empty string"),
  input,
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.number().int().min(1).max(65_536).nullish(),
  user: z.string().nullish(),
});

export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

export const parseEmbeddingsRequest = (body: unknown): EmbeddingsRequest =>
  parseWith(embeddingsRequestSchema, body, "an embeddings request");
