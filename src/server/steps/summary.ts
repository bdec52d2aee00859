import { SUMMARY_LIMIT } from "./types";

/** Input fields that say what a tool call does, in order of preference (Claude Code's tools name them so). */
const FIELDS = ["command", "file_path", "notebook_path", "pattern", "url", "query", "path", "description", "prompt"];
/** Tools that change a file: their `file_path` (or `notebook_path`) is a file the turn wrote or edited. */
const WRITERS = new Set(["Write", "Edit", "MultiEdit", "NotebookEdit"]);

export const cut = (s: string, limit = SUMMARY_LIMIT) => (s.length > limit ? `${s.slice(0, limit - 1)}…` : s);

/** A short, bounded summary of a tool's input: its telling field, else its JSON, cut. */
export function summarize(input: unknown): string {
  if (input && typeof input === "object") {
    const o = input as Record<string, unknown>;
    const field = FIELDS.find((f) => typeof o[f] === "string" && o[f]);
    if (field) {
      const within = field === "pattern" && typeof o.path === "string" && o.path ? ` in ${o.path}` : "";
      return cut(`${o[field]}${within}`);
    }
  }
  let json = "";
  try {
    json = JSON.stringify(input ?? {}) ?? "";
  } catch {}
  return cut(json);
}

/** The file a tool call writes or edits, if it is one of the writing tools. */
export function writtenPath(tool: string, input: unknown): string | null {
  if (!WRITERS.has(tool) || !input || typeof input !== "object") return null;
  const o = input as Record<string, unknown>;
  const p = o.file_path ?? o.notebook_path;
  return typeof p === "string" ? cut(p, 1_000) : null;
}

/** A tool result's size in bytes: its text (or the JSON of its blocks) in UTF-8. */
export function resultBytes(content: unknown): number {
  if (content === undefined || content === null) return 0;
  if (typeof content === "string") return Buffer.byteLength(content);
  if (Array.isArray(content)) {
    let n = 0;
    for (const b of content) {
      const block = b as { type?: string; text?: string };
      n +=
        block?.type === "text" && typeof block.text === "string"
          ? Buffer.byteLength(block.text)
          : Buffer.byteLength(JSON.stringify(b) ?? "");
    }
    return n;
  }
  return Buffer.byteLength(JSON.stringify(content) ?? "");
}
