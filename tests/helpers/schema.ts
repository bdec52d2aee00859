/** Validates bodies against the OpenAI schema subset vendored in tests/fixtures/openai-schemas.json. */
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

function check(name: string, value: unknown) {
  const validate = ajv.getSchema(`openai#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  const ok = validate(value);
  expect(ok, `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`).toBe(true);
}

export const expectCompletion = (v: unknown) => check("CreateChatCompletionResponse", v);
export const expectChunk = (v: unknown) => check("CreateChatCompletionStreamResponse", v);
export const expectError = (v: unknown) => check("ErrorResponse", v);
export const expectModelList = (v: unknown) => check("ListModelsResponse", v);
export const expectModel = (v: unknown) => check("Model", v);

/** What a validating fetch checked, and what failed (tests assert `failures` is empty). */
export interface SchemaLog {
  checked: number;
  failures: string[];
}

export const newSchemaLog = (): SchemaLog => ({ checked: 0, failures: [] });

function validate(log: SchemaLog, name: string, value: unknown) {
  const v = ajv.getSchema(`openai#/components/schemas/${name}`);
  if (!v) throw new Error(`no schema ${name}`);
  log.checked++;
  if (!v(value)) log.failures.push(`${name}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(value)}`);
}

/** One SSE event of a chat stream: a chunk, or the `data: {"error"}` event; `[DONE]` is skipped. */
function validateEvent(log: SchemaLog, event: string) {
  const data = event
    .split("\n")
    .filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(5).replace(/^ /, ""))
    .join("\n");
  if (!data || data === "[DONE]") return;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    log.failures.push(`not JSON: ${data}`);
    return;
  }
  validate(log, v && typeof v === "object" && "error" in v ? "ErrorResponse" : "CreateChatCompletionStreamResponse", v);
}

/**
 * A fetch that validates every body it passes on against the spec: chat completions, each stream
 * chunk and `data: {"error"}` event as it goes by, error bodies, model lists. Give it to the `openai`
 * SDK (`new OpenAI({ fetch })`) or call it instead of fetch; then expect `log.failures` to be empty.
 */
export function validatingFetch(log: SchemaLog): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    const type = res.headers.get("content-type") ?? "";
    if (type.startsWith("text/event-stream") && res.body) {
      const decoder = new TextDecoder();
      let buffer = "";
      const tap = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          buffer += decoder.decode(chunk, { stream: true });
          const events = buffer.split("\n\n");
          buffer = events.pop() ?? "";
          for (const e of events) validateEvent(log, e);
          controller.enqueue(chunk);
        },
        flush() {
          if (buffer.trim()) validateEvent(log, buffer);
        },
      });
      return new Response(res.body.pipeThrough(tap), {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    }
    if (type.includes("application/json")) {
      const body = await res
        .clone()
        .json()
        .catch(() => undefined);
      if (res.status >= 400) validate(log, "ErrorResponse", body);
      else if (path.endsWith("/chat/completions")) validate(log, "CreateChatCompletionResponse", body);
      else if (path.endsWith("/v1/models")) validate(log, "ListModelsResponse", body);
      else if (path.includes("/v1/models/")) validate(log, "Model", body);
    }
    return res;
  };
}
