/**
 * Makes the fake Anthropic API drive Claude Code into its own tools (Bash, Read, Write, Edit…): a
 * prompt carries `[[steps:<base64 JSON>]]`, a list of steps, each a list of tool calls. The model
 * answers the user's message with the first step's calls, each batch of tool results with the next
 * step's, and, once the steps are done, with a text that quotes every tool result of the turn, so a
 * test reads in the answer what each tool did (or why it was refused).
 */
import fs from "node:fs";
import path from "node:path";
import type { FakeScript, RecordedRequest } from "../fakes/anthropic";

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

/** The marker for a task of these steps, to put in a prompt. */
export const steps = (...list: ToolCall[][]): string =>
  `[[steps:${Buffer.from(JSON.stringify(list)).toString("base64")}]]`;

const STEPS_RE = /\[\[steps:([A-Za-z0-9+/=]+)\]\]/;

type Json = any;

/** The messages after the last user message that holds text (the turn so far). */
function turnOf(body: Json): { text: string; after: Json[] } {
  const messages: Json[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    const content = typeof m?.content === "string" ? [{ type: "text", text: m.content }] : (m?.content ?? []);
    const text = content
      .filter((b: Json) => b?.type === "text" && typeof b.text === "string")
      .map((b: Json) => b.text as string)
      .join("\n");
    if (m?.role === "user" && STEPS_RE.test(text)) return { text, after: messages.slice(i + 1) };
  }
  return { text: "", after: [] };
}

const resultText = (b: Json): string =>
  typeof b.content === "string"
    ? b.content
    : (b.content ?? []).map((c: Json) => (typeof c?.text === "string" ? c.text : "")).join("\n");

/** The fake's script for `steps()` prompts (other prompts fall through to the fake's defaults). */
export const stepsScript: FakeScript = (req: RecordedRequest) => {
  const { text, after } = turnOf(req.body);
  const m = STEPS_RE.exec(text);
  if (!m) return undefined;
  const list = JSON.parse(Buffer.from(m[1] as string, "base64").toString("utf8")) as ToolCall[][];
  const done = after.filter((x) => x?.role === "assistant").length;
  const next = list[done];
  if (next) return { type: "reply", text: "", toolUses: next };
  const results = after
    .filter((x) => x?.role === "user" && Array.isArray(x.content))
    .flatMap((x) => x.content.filter((b: Json) => b?.type === "tool_result"))
    .map((b: Json) => `${b.is_error ? "ERROR" : "OK"}: ${resultText(b)}`);
  return { type: "reply", text: `RESULTS\n${results.join("\n---\n")}` };
};

export const bash = (command: string): ToolCall => ({ name: "Bash", input: { command, description: "run" } });
export const read = (file_path: string): ToolCall => ({ name: "Read", input: { file_path } });
export const write = (file_path: string, content: string): ToolCall => ({
  name: "Write",
  input: { file_path, content },
});
/** A sub-agent (Claude Code's Agent tool, in the foreground) that runs these steps itself. */
export const subAgent = (...list: ToolCall[][]): ToolCall => ({
  name: "Agent",
  input: {
    description: "check it",
    prompt: `check ${steps(...list)}`,
    subagent_type: "general-purpose",
    run_in_background: false,
  },
});
export const edit = (file_path: string, old_string: string, new_string: string): ToolCall => ({
  name: "Edit",
  input: { file_path, old_string, new_string },
});

/**
 * A task for Claude Code (`claude-code`) with a key, on chat completions or Anthropic's Messages
 * endpoint; answers the status, the body and the answer's text.
 */
export async function runTask(
  url: string,
  bearer: string,
  prompt: string,
  opts: { session?: string; endpoint?: "/v1/chat/completions" | "/v1/messages" } = {},
) {
  const anthropic = opts.endpoint === "/v1/messages";
  const res = await fetch(`${url}${opts.endpoint ?? "/v1/chat/completions"}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${bearer}`,
      "content-type": "application/json",
      ...(opts.session ? { "x-session-id": opts.session } : {}),
    },
    body: JSON.stringify({
      model: "claude-code",
      ...(anthropic ? { max_tokens: 1000 } : {}),
      messages: [{ role: "user", content: prompt }],
    }),
  });
  const body = (await res.json()) as any;
  const text = anthropic ? body?.content?.[0]?.text : body?.choices?.[0]?.message?.content;
  return { status: res.status, body, text: String(text ?? "") };
}

/**
 * What a key's task does in its workspace `dir` when it reads a file put there, writes one and runs a
 * command: the answer, and whether the written file or the command's file exist afterwards.
 */
export async function readWriteRun(url: string, bearer: string, dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "readme.txt"), "CAN-READ-THIS\n");
  const r = await runTask(
    url,
    bearer,
    `try ${steps([read("readme.txt")], [write("out.txt", "x")], [bash("touch ran.txt")])}`,
  );
  return {
    ...r,
    wrote: fs.existsSync(path.join(dir, "out.txt")),
    ran: fs.existsSync(path.join(dir, "ran.txt")),
  };
}
