import { badRequest } from "../../openai/errors";

/** Model names Claude Code takes: letters, digits and . _ : - [ ] (e.g. `sonnet`, `claude-opus-4-1`). */
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:[\]-]{0,127}$/;

export function checkModelName(model: string): void {
  if (!MODEL.test(model)) {
    throw badRequest(`Invalid model name "${model.slice(0, 60)}" for Claude Code.`, "model", "invalid_model");
  }
}
