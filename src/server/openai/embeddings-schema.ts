/** zod schema of `POST /v1/embeddings`. */
import { z } from "zod";
import { parseWith } from "./responses-schema";

const text = z.string().min(1, "must not be empty");

export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1, "must be a non-empty string"),
  input: z.union([
    text,
    z.array(text).min(1, "must not be empty").max(2048, "must have at most 2048 items"),
    z.array(z.number()).transform((_v, ctx) => {
      ctx.addIssue({ code: "custom", message: "token arrays are not supported; send the text" });
      return z.NEVER;
    }),
    z.array(z.array(z.number())).transform((_v, ctx) => {
      ctx.addIssue({ code: "custom", message: "token arrays are not supported; send the text" });
      return z.NEVER;
    }),
  ]),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.number().int().min(1).max(65_536).nullish(),
  user: z.string().nullish(),
});

export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

export const parseEmbeddingsRequest = (body: unknown): EmbeddingsRequest =>
  parseWith(embeddingsRequestSchema, body, "an embeddings request");
