import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SessionStoreEntry } from "@anthropic-ai/claude-agent-sdk";
import { log } from "../../log";
import { appendEntries, hasTranscript, storedUuids } from "../../sessions/transcripts";

/**
 * What a `claude` process leaves on disk, and when it goes (issue 28). Checked against CLI 2.1.332:
 * - `CLAUDE_CONFIG_DIR/sessions/<pid>.json` and `<pid>.<hash>.key`, and `cc-socks/<pid>.sock` in its
 *   temp folder (CLAUDE_CODE_TMPDIR, else TMPDIR):
 *   removed by the process when it exits well, left when it is killed;
 * - `.claude.json.tmp.<pid>.<hash>`: its settings file half-written when it was ended;
 * - `$TMPDIR/claude-<uid>/fswatch-probe-*` (under CLAUDE_CODE_TMPDIR when set): one per start, left
 *   even by a process that exits well;
 * - `$TMPDIR/claude-resume-*`: the Agent SDK's copy of a session loaded from the store, removed by the
 *   SDK when the query ends, left when the gateway is killed;
 * - a kept conversation's transcript, `CLAUDE_CONFIG_DIR/projects/<dir>/<session>.jsonl` (and its
 *   sub-agents' under `<session>/subagents/`): mirrored to the database as it is written; removed when
 *   its process ends, once whatever the mirror had not sent yet is stored (a process killed mid-turn).
 * A stateless conversation writes no transcript (`persistSession: false`).
 * `removeProcessFiles` and `settleTranscripts` run when a process has ended; `sweep` once per folder
 * when this gateway starts its first process there, for what a killed gateway (or an older version) left.
 */

type Env = Record<string, string | undefined>;

export const configDirOf = (e: Env): string => e.CLAUDE_CONFIG_DIR ?? path.join(e.HOME ?? os.homedir(), ".claude");
const tmpDirOf = (e: Env): string => e.TMPDIR ?? os.tmpdir();
/** Where Claude Code keeps its temp files (its socket's cc-socks/ and claude-<uid>/ below them). */
const tempDirsOf = (e: Env): string[] => [...new Set([e.CLAUDE_CODE_TMPDIR ?? tmpDirOf(e), tmpDirOf(e)])];

/** The Agent SDK's folders of sessions loaded from the store to resume (in the gateway's temp folder). */
const RESUME_PREFIX = "claude-resume-";

/** Older than this, a probe or resume folder nobody uses is a leftover. */
const STALE_MS = 60_000;

const rm = (p: string) => fs.rmSync(p, { recursive: true, force: true });

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const olderThan = (p: string, ms: number, now: number): boolean => {
  try {
    return now - fs.statSync(p).mtimeMs > ms;
  } catch {
    return false;
  }
};

/** Where a process writes `.claude.json` (through `.claude.json.tmp.<pid>.<hash>`, renamed when done). */
const settingsDirsOf = (e: Env): string[] => [...new Set([configDirOf(e), e.HOME ?? os.homedir()])];
const SETTINGS_TMP = /^\.claude\.json\.tmp\.(\d+)\./;

/** A process's own files, once it ended: its session file and lock key, its socket, a half-written settings file. */
export function removeProcessFiles(e: Env, pid: number): void {
  const sessions = path.join(configDirOf(e), "sessions");
  for (const f of list(sessions)) if (f === `${pid}.json` || f.startsWith(`${pid}.`)) rm(path.join(sessions, f));
  for (const base of tempDirsOf(e)) rm(path.join(base, "cc-socks", `${pid}.sock`));
  for (const dir of settingsDirsOf(e))
    for (const f of list(dir)) if (SETTINGS_TMP.exec(f)?.[1] === String(pid)) rm(path.join(dir, f));
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
    for (const rel of listDeep(sub)) if (rel.endsWith(".jsonl")) files.push([path.join(sub, rel), rel.slice(0, -6)]);
  }
  return { files, dirs };
}

function listDeep(dir: string, prefix = ""): string[] {
  return list(path.join(dir, prefix)).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    try {
      return fs.statSync(path.join(dir, rel)).isDirectory() ? listDeep(dir, rel) : [rel];
    } catch {
      return [];
    }
  });
}

/**
 * Stores what the mirror had not (entries whose uuid is not stored; all of them for a transcript the
 * store has nothing of), then removes the local files. Kept on disk when the database cannot be
 * written: they are tried again when the gateway starts again (sweep).
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
  for (const [file] of files) rm(file);
  for (const dir of dirs) rm(dir);
}

/** The transcripts of a process's conversations once it ended (those stored: a kept conversation's). */
export async function settleTranscripts(e: Env, sessionIds: Iterable<string>): Promise<void> {
  const dir = configDirOf(e);
  for (const id of sessionIds) {
    const local = transcriptFiles(dir, id);
    if (local.files.length + local.dirs.length === 0) continue; // a stateless conversation: nothing written
    if (await hasTranscript(id).catch(() => false)) await settleTranscript(dir, id);
  }
}

const swept = new Set<string>();
/** Claude session ids the live processes of this gateway hold (their local transcripts stay). */
export const heldSessions = new Set<string>();

/** Runs `sweep` once per config folder in this gateway (when its first process there starts). */
export function sweepOnce(e: Env): void {
  const dir = configDirOf(e);
  // The SDK's copy of a session to resume (its own config folder): what is in it is about to be used.
  if (swept.has(dir) || path.basename(dir).startsWith(RESUME_PREFIX)) return;
  swept.add(dir);
  void sweep(e, heldSessions).catch((err) =>
    log({ level: "warn", msg: `leftover sweep failed: ${(err as Error).message}` }),
  );
}

/**
 * What earlier processes left in this process's folders: files of processes no longer running, probe
 * and resume folders of more than a minute, and the local transcripts of stored conversations that no
 * live process holds (`held`).
 */
export async function sweep(e: Env, held: ReadonlySet<string>, now = Date.now()): Promise<void> {
  const configDir = configDirOf(e);
  const sessions = path.join(configDir, "sessions");
  for (const f of list(sessions)) {
    const pid = Number(/^(\d+)\./.exec(f)?.[1]);
    if (pid && !alive(pid)) rm(path.join(sessions, f));
  }
  for (const dir of settingsDirsOf(e)) {
    for (const f of list(dir)) {
      const pid = Number(SETTINGS_TMP.exec(f)?.[1]);
      if (pid && !alive(pid)) rm(path.join(dir, f));
    }
  }
  for (const base of tempDirsOf(e)) {
    const socks = path.join(base, "cc-socks");
    for (const f of list(socks)) {
      const pid = Number(/^(\d+)\.sock$/.exec(f)?.[1]);
      if (pid && !alive(pid)) rm(path.join(socks, f));
    }
    for (const d of list(base).filter((x) => /^claude-\d+$/.test(x))) {
      for (const probe of list(path.join(base, d)).filter((x) => x.startsWith("fswatch-probe-"))) {
        const p = path.join(base, d, probe);
        if (olderThan(p, STALE_MS, now)) rm(p);
      }
    }
  }
  for (const d of list(os.tmpdir()).filter((x) => x.startsWith(RESUME_PREFIX))) {
    const dir = path.join(os.tmpdir(), d);
    const busy = list(path.join(dir, "sessions")).some((f) => alive(Number(/^(\d+)\./.exec(f)?.[1])));
    if (!busy && olderThan(dir, STALE_MS, now)) rm(dir);
  }
  const projects = path.join(configDir, "projects");
  for (const project of list(projects)) {
    for (const f of list(path.join(projects, project))) {
      const id = /^([0-9a-f-]{36})\.jsonl$/.exec(f)?.[1];
      if (id && !held.has(id) && (await hasTranscript(id).catch(() => false))) await settleTranscript(configDir, id);
    }
  }
}
