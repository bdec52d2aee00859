/**
 * Validation of the Responses API and embeddings bodies against the vendored OpenAI schema subset
 * (tests/fixtures/openai-schemas.json): Response, each ResponseStreamEvent, CreateEmbeddingResponse.
 */
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";

const file = path.resolve(import.meta.dirname, "../fixtures/openai-schemas.json");
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addFormat("unixtime", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 });
ajv.addSchema(JSON.parse(fs.readFileSync(file, "utf8")), "openai");

/** The errors of `value` against a named schema ("" when it validates). */
export function schemaErrors(name: string, value: unknown): string {
  const validate = ajv.getSchema(`openai#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(value) ? "" : `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`;
}

const check = (name: string) => (value: unknown) => expect(schemaErrors(name, value)).toBe("");
export const expectResponse = check("Response");
export const expectStreamEvent = check("ResponseStreamEvent");
export const expectEmbeddings = check("CreateEmbeddingResponse");
export const expectErrorBody = check("ErrorResponse");

export interface SseEvent {
  event: string | null;
  data: any;
}

/** Parses an SSE body into its events (`event:` name and JSON `data:`). */
export function parseSse(text: string): SseEvent[] {
  return (
    text
      .split("\n\n")
      // (a comment block, `: ping`, is no event: every SSE parser skips it)
      .filter((block) => block.split("\n").some((l) => l.startsWith("data:")))
      .map((block) => {
        const lines = block.split("\n");
        const event =
          lines
            .find((l) => l.startsWith("event:"))
            ?.slice(6)
            .trim() ?? null;
        const data = lines
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).replace(/^ /, ""))
          .join("\n");
        return { event, data: data === "[DONE]" ? data : JSON.parse(data) };
      })
  );
}

/**
 * The spec types `embedding` as numbers only; a base64 answer (what the SDK asks for) is checked as
 * the floats it decodes to (little-endian float32).
 */
export function decodeEmbeddings(body: any): any {
  if (!Array.isArray(body?.data)) return body;
  const decode = (e: unknown) => {
    if (typeof e !== "string") return e;
    const bytes = Buffer.from(e, "base64");
    return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
  };
  return { ...body, data: body.data.map((d: any) => ({ ...d, embedding: decode(d.embedding) })) };
}

/**
 * A fetch for the `openai` SDK that validates, as they go by, every Responses API body: JSON
 * responses, each stream event, embeddings and error bodies. Failures are collected in `failures`.
 */
export function responsesValidatingFetch(failures: string[]): typeof fetch {
  const note = (name: string, v: unknown) => {
    const e = schemaErrors(name, v);
    if (e) failures.push(e);
  };
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const type = res.headers.get("content-type") ?? "";
    if (type.startsWith("text/event-stream") && res.body) {
      const decoder = new TextDecoder();
      let buffer = "";
      const onEvent = (block: string) => {
        for (const e of parseSse(block)) note("ResponseStreamEvent", e.data);
      };
      const tap = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          buffer += decoder.decode(chunk, { stream: true });
          const blocks = buffer.split("\n\n");
          buffer = blocks.pop() ?? "";
          for (const b of blocks) onEvent(b);
          controller.enqueue(chunk);
        },
        flush() {
          if (buffer.trim()) onEvent(buffer);
        },
      });
      return new Response(res.body.pipeThrough(tap), { status: res.status, headers: res.headers });
    }
    if (type.includes("application/json")) {
      const body = await res
        .clone()
        .json()
        .catch(() => undefined);
      if (res.status >= 400) note("ErrorResponse", body);
      else if (url.pathname.endsWith("/embeddings")) note("CreateEmbeddingResponse", decodeEmbeddings(body));
      else if (/\/responses(\/resp_[^/]+(\/cancel)?)?$/.test(url.pathname) && body?.object === "response")
        note("Response", body);
    }
    return res;
  };
}
