import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { SessionStoreEntry } from "@anthropic-ai/claude-agent-sdk";
import { log } from "../../log";
import { appendEntries, isKeptConversation, loadEntries, storedUuids, subpathsOf } from "../../sessions/transcripts";

/**
 * A kept conversation's transcript on disk, `CLAUDE_CONFIG_DIR/projects/<dir>/<session>.jsonl` (and its
 * sub-agents' under `<session>/subagents/`), lives only as long as a process of ours uses it:
 * - written back from the database (`restoreTranscript`) before a process resumes a session it
 *   does not have here, into CLAUDE_CONFIG_DIR, which sandboxed commands cannot read. (The Agent SDK
 *   can do this itself from `sessionStore.load`, but it writes its copy, with one of the login's
 *   files, in the gateway's temp folder, which every workspace's commands can read: so our store's
 *   `load` answers "nothing", and this is the one way back.)
 * - mirrored to the database while Claude Code writes it (sessionStore.append);
 * - removed when the last process holding it ends (`settleTranscripts`), once whatever the mirror had
 *   not sent yet (a process killed mid-turn) is stored.
 */

/** Removes a file or folder, if it is there. */
export const rm = (p: string) => fs.rmSync(p, { recursive: true, force: true });

/**
 * Claude session ids the live processes (and resumes about to start) of this gateway hold, counted. On
 * globalThis: Next.js may load these modules in more than one bundle, and a process started by one
 * (a spare) is resumed by another.
 */
const g = globalThis as unknown as { __ccBridgeTranscriptHolds?: Map<string, number> };
g.__ccBridgeTranscriptHolds ??= new Map();
const holds = g.__ccBridgeTranscriptHolds;

/** Holds a session's local transcript (nothing removes it) until the returned function is called. */
export function holdTranscript(id: string): () => void {
  holds.set(id, (holds.get(id) ?? 0) + 1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    const n = (holds.get(id) ?? 1) - 1;
    if (n > 0) holds.set(id, n);
    else holds.delete(id);
  };
}

export const isHeld = (id: string): boolean => holds.has(id);

/**
 * Claude Code's folder name for a working directory under `projects/` (CLI 2.1.332, as the Agent SDK
 * computes it): the real path with every other character than a letter or digit made `-`; past 200
 * characters, cut and suffixed with a hash of the path.
 */
export function projectDirName(cwd: string): string {
  let real = path.resolve(cwd);
  try {
    real = fs.realpathSync(real);
  } catch {}
  const name = real.replace(/[^a-zA-Z0-9]/g, "-");
  if (name.length <= 200) return name;
  let h = 0;
  for (let i = 0; i < real.length; i++) h = ((h << 5) - h + real.charCodeAt(i)) | 0;
  return `${name.slice(0, 200)}-${Math.abs(h).toString(36)}`;
}

/** A folder's entries (none when it is not there). */
export function list(dir: string, recursive = false): string[] {
  try {
    return fs.readdirSync(dir, { recursive, encoding: "utf8" });
  } catch {
    return [];
  }
}

/** A transcript file's entries, one JSON object per line (a torn last line is left out). */
function readEntries(file: string): SessionStoreEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: SessionStoreEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as SessionStoreEntry;
      if (v && typeof v === "object" && typeof v.type === "string") out.push(v);
    } catch {}
  }
  return out;
}

/** The transcript files of a session under a config folder: [file, subpath] ("" for the main one). */
function transcriptFiles(configDir: string, sessionId: string): { files: Array<[string, string]>; dirs: string[] } {
  const files: Array<[string, string]> = [];
  const dirs: string[] = [];
  const projects = path.join(configDir, "projects");
  for (const project of list(projects)) {
    const main = path.join(projects, project, `${sessionId}.jsonl`);
    if (fs.existsSync(main)) files.push([main, ""]);
    const sub = path.join(projects, project, sessionId);
    if (!fs.existsSync(sub)) continue;
    dirs.push(sub);
    for (const rel of list(sub, true)) if (rel.endsWith(".jsonl")) files.push([path.join(sub, rel), rel.slice(0, -6)]);
  }
  return { files, dirs };
}

/**
 * Stores what the mirror had not (entries whose uuid is not stored; all of them for a transcript the
 * store has nothing of), then removes the local files. Kept on disk when the database cannot be
 * written: the next sweep tries again.
 */
export async function settleTranscript(configDir: string, sessionId: string): Promise<void> {
  const { files, dirs } = transcriptFiles(configDir, sessionId);
  if (files.length === 0 && dirs.length === 0) return;
  try {
    for (const [file, subpath] of files) {
      const entries = readEntries(file);
      const stored = await storedUuids(sessionId, subpath);
      const missing = stored.size ? entries.filter((x) => typeof x.uuid === "string" && !stored.has(x.uuid)) : entries;
      await appendEntries(sessionId, subpath, missing);
    }
  } catch (e) {
    log({ level: "warn", msg: `transcript ${sessionId} not stored yet: ${(e as Error).message}` });
    return;
  }
  if (isHeld(sessionId)) return; // a process took it up meanwhile
  for (const [file] of files) rm(file);
  for (const dir of dirs) rm(dir);
}

/** The local transcripts of these sessions, once no process holds them (those stored: kept conversations'). */
export async function settleTranscripts(configDir: string, sessionIds: Iterable<string>): Promise<void> {
  for (const id of sessionIds) {
    if (isHeld(id)) continue;
    const local = transcriptFiles(configDir, id);
    if (local.files.length + local.dirs.length === 0) continue; // a stateless conversation: nothing written
    if (await isKeptConversation(id).catch(() => false)) await settleTranscript(configDir, id);
  }
}

/** Writes a file whole, or not at all (a process never reads half of it). */
function writeWhole(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.restore`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

const jsonl = (entries: SessionStoreEntry[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join("");

/**
 * Writes a session's stored transcript (and its sub-agents') where a process started in `cwd` with
 * this config folder resumes it. A local copy at least as long is kept (this instance's own, its last
 * entries perhaps not mirrored yet). False when nothing is stored: the resume then finds the local
 * copy, if there is one, or Claude Code reports the conversation lost.
 */
export async function restoreTranscript(configDir: string, cwd: string, sessionId: string): Promise<boolean> {
  const main = await loadEntries(sessionId);
  if (!main) return false;
  const dir = path.join(configDir, "projects", projectDirName(cwd));
  const file = path.join(dir, `${sessionId}.jsonl`);
  if (readEntries(file).length < main.length) writeWhole(file, jsonl(main));
  for (const subpath of await subpathsOf(sessionId)) {
    if (subpath.split("/").some((part) => part === ".." || part === "") || path.isAbsolute(subpath)) continue;
    const entries = (await loadEntries(sessionId, subpath)) ?? [];
    const meta = entries.filter((e) => e.type === "agent_metadata");
    const lines = entries.filter((e) => e.type !== "agent_metadata");
    const base = path.join(dir, sessionId, subpath);
    if (lines.length && readEntries(`${base}.jsonl`).length < lines.length) writeWhole(`${base}.jsonl`, jsonl(lines));
    const last = meta.at(-1);
    if (last) {
      const { type: _, ...rest } = last;
      writeWhole(`${base}.meta.json`, JSON.stringify(rest));
    }
  }
  return true;
}
