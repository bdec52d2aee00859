/** Looking at what Claude Code left on disk and at what it sent upstream (transcript tests). */
import fs from "node:fs";
import path from "node:path";

/** Every file under a folder (none when it does not exist). */
export const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    : [];

/** The files under these folders whose bytes hold `word`. */
export function filesHolding(dirs: string[], word: string): string[] {
  return dirs.flatMap(filesUnder).filter((f) => {
    try {
      return fs.readFileSync(f).includes(word);
    } catch {
      return false; // gone meanwhile, or a socket
    }
  });
}

type Json = any;

/**
 * An upstream Messages request's conversation: every block's kind in order (`tool_use:<name>` for a
 * tool call) and all its text (tool results' included).
 */
export function upstreamTurns(body: Json): { blocks: string[]; text: string } {
  const blocks: string[] = [];
  const texts: string[] = [];
  const textOf = (c: Json): string =>
    typeof c === "string"
      ? c
      : Array.isArray(c)
        ? c.map((b: Json) => (typeof b?.text === "string" ? b.text : "")).join("\n")
        : "";
  for (const m of body?.messages ?? []) {
    const content = typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content ?? []);
    for (const b of content) {
      blocks.push(b.type === "tool_use" ? `tool_use:${b.name}` : b.type);
      if (b.type === "text") texts.push(b.text);
      if (b.type === "tool_result") texts.push(textOf(b.content));
    }
  }
  return { blocks, text: texts.join("\n") };
}

/** Whether a process runs (not gone, not a zombie nobody reaped yet). */
export function running(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

/** A process file named after its pid (`<pid>.json`, `<pid>.<hash>.key`, `<pid>.sock`) of a running process. */
export const ofRunning = (file: string): boolean => running(Number(path.basename(file).split(".")[0]));
