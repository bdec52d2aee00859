/** Validates bodies against the OpenAI schema subset in ../shared/reference/openai-schemas.json. */
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";

const file = path.resolve(import.meta.dirname, "../../../shared/reference/openai-schemas.json");
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
