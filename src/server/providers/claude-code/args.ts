import { badRequest } from "../../openai/errors";

/** Model names passed to `--model`: letters, digits and . _ : - [ ] (e.g. `sonnet`, `claude-opus-4-1`). */
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:[\]-]{0,127}$/;

export interface ArgsInput {
  /** The model as requested; null means Claude Code's own default. */
  model: string | null;
  /** A file holding the system prompt (never on the command line: no size limit, no flag lookalikes). */
  systemPromptFile: string | null;
  systemPromptMode: "append" | "replace";
  /** Continue this Claude session… */
  resume: string | null;
  /** …or create this one. */
  newSessionId: string | null;
  skipPermissions: boolean;
}

export function checkModelName(model: string): void {
  if (!MODEL.test(model)) {
    throw badRequest(`Invalid model name "${model.slice(0, 60)}" for Claude Code.`, "model", "invalid_model");
  }
}

/** The CLI arguments. Values are attached with `=` so none can be read as a flag; the prompt is never here. */
export function buildArgs(a: ArgsInput): string[] {
  const args = [
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--verbose",
    "--include-partial-messages",
  ];
  if (a.model) {
    checkModelName(a.model);
    args.push(`--model=${a.model}`);
  }
  if (a.resume) args.push(`--resume=${a.resume}`);
  else if (a.newSessionId) args.push(`--session-id=${a.newSessionId}`);
  if (a.systemPromptFile) {
    const flag = a.systemPromptMode === "replace" ? "--system-prompt-file" : "--append-system-prompt-file";
    args.push(`${flag}=${a.systemPromptFile}`);
  }
  if (a.skipPermissions) args.push("--dangerously-skip-permissions");
  return args;
}
