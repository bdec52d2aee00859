import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { log } from "../../log";
import { isKeptConversation } from "../../sessions/transcripts";
import { isHeld, list, rm, settleTranscript } from "./local-transcripts";

/**
 * What a `claude` process leaves on disk, and when it goes (issue 28). Checked against CLI 2.1.332:
 * - `CLAUDE_CONFIG_DIR/sessions/<pid>.json` and `<pid>.<hash>.key`, and `cc-socks/<pid>.sock` in its
 *   temp folder (CLAUDE_CODE_TMPDIR, else TMPDIR):
 *   removed by the process when it exits well, left when it is killed;
 * - `.claude.json.tmp.<pid>.<hash>`: its settings file half-written when it was ended;
 * - `$TMPDIR/claude-<uid>/fswatch-probe-*` (under CLAUDE_CODE_TMPDIR when set): one per start, left
 *   even by a process that exits well: removed a few seconds after each start;
 * - a kept conversation's transcript (local-transcripts.ts): removed with its last process; one a
 *   killed gateway left, by the sweep once stored.
 * A stateless conversation writes no transcript (`persistSession: false`).
 * `removeProcessFiles` runs when a process has ended; `sweep` when this gateway starts its first process
 * in a folder (what a killed gateway, or an older version, left), then every ten minutes.
 */

type Env = Record<string, string | undefined>;

export const configDirOf = (e: Env): string => e.CLAUDE_CONFIG_DIR ?? path.join(e.HOME ?? os.homedir(), ".claude");
const tmpDirOf = (e: Env): string => e.TMPDIR ?? os.tmpdir();
/** Where Claude Code keeps its temp files (its socket's cc-socks/ and claude-<uid>/ below them). */
const tempDirsOf = (e: Env): string[] => [...new Set([e.CLAUDE_CODE_TMPDIR ?? tmpDirOf(e), tmpDirOf(e)])];

/** Older than this, a probe folder is a leftover (a process uses it only while it starts, within a second). */
const PROBE_MS = 5_000;

/** Whether a process runs (a zombie, ended but not yet reaped by its parent, does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return process.platform !== "linux";
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

/**
 * The file-watch probes Claude Code makes in its temp folder as it starts (`claude-<uid>/fswatch-probe-*`)
 * and leaves: those older than PROBE_MS (a process uses its own only while it starts).
 */
function removeProbes(e: Env, now = Date.now()): void {
  for (const base of tempDirsOf(e)) {
    for (const d of list(base).filter((x) => /^claude-\d+$/.test(x))) {
      for (const probe of list(path.join(base, d)).filter((x) => x.startsWith("fswatch-probe-"))) {
        const p = path.join(base, d, probe);
        if (olderThan(p, PROBE_MS, now)) rm(p);
      }
    }
  }
}

/** A process that starts makes a probe: it goes a few seconds later (unless the gateway is gone by then). */
export function removeProbesSoon(e: Env): void {
  setTimeout(() => removeProbes(e), PROBE_MS + 1_000).unref?.();
}

/** A process's own files, once it ended: its session file and lock key, its socket, a half-written settings file. */
export function removeProcessFiles(e: Env, pid: number): void {
  const sessions = path.join(configDirOf(e), "sessions");
  for (const f of list(sessions)) if (f === `${pid}.json` || f.startsWith(`${pid}.`)) rm(path.join(sessions, f));
  for (const base of tempDirsOf(e)) rm(path.join(base, "cc-socks", `${pid}.sock`));
  for (const dir of settingsDirsOf(e))
    for (const f of list(dir)) if (SETTINGS_TMP.exec(f)?.[1] === String(pid)) rm(path.join(dir, f));
}

/** The environment last seen per config folder: the periodic sweep looks where the processes were (one per gateway: on globalThis). */
const g = globalThis as unknown as {
  __ccBridgeSweep?: { seen: Map<string, Env>; timer?: ReturnType<typeof setInterval> };
};
g.__ccBridgeSweep ??= { seen: new Map() };
const state = g.__ccBridgeSweep;
const seen = state.seen;
const SWEEP_EVERY_MS = 10 * 60_000;

const sweepLogged = (e: Env) =>
  void sweep(e).catch((err) => log({ level: "warn", msg: `leftover sweep failed: ${(err as Error).message}` }));

/**
 * Sweeps a config folder when this gateway starts its first process there, then every ten minutes
 * while it runs (what a process leaves even when it exits well piles up over a long run otherwise).
 */
export function sweepOnce(e: Env): void {
  const dir = configDirOf(e);
  const first = !seen.has(dir);
  seen.set(dir, e);
  if (first) sweepLogged(e);
  state.timer ??= setInterval(() => {
    for (const env of seen.values()) sweepLogged(env);
  }, SWEEP_EVERY_MS);
  state.timer.unref?.();
}

/**
 * What earlier processes left in this process's folders: files of processes no longer running, probe
 * folders of more than a minute, and the local transcripts of stored conversations that no
 * live process holds.
 */
export async function sweep(e: Env, now = Date.now()): Promise<void> {
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
  }
  removeProbes(e, now);
  const projects = path.join(configDir, "projects");
  for (const project of list(projects)) {
    for (const f of list(path.join(projects, project))) {
      const id = /^([0-9a-f-]{36})\.jsonl$/.exec(f)?.[1];
      if (id && !isHeld(id) && (await isKeptConversation(id).catch(() => false))) await settleTranscript(configDir, id);
    }
  }
}
