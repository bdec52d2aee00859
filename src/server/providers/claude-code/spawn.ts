import "server-only";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import type { SpawnedProcess, SpawnOptions } from "@anthropic-ai/claude-agent-sdk";
import { removeProbesSoon, removeProcessFiles, sweepOnce } from "./local-files";

/**
 * How the Agent SDK starts `claude` here (its `spawnClaudeCodeProcess`): no shell, a process group
 * of its own (so its children die with it), a parent-death signal where Linux's `setpriv` exists (a
 * gateway killed with SIGKILL or by the OOM killer takes its `claude` processes with it), and the
 * SDK's kill() sent to the whole group. The SDK passes the environment we gave it (never merged).
 *
 * A spare starts at a lower CPU priority (nice SPARE_NICE), as work nobody waits for yet: a start is
 * about half a second of a core, and on a busy machine the turns in flight and the gateway go first,
 * the spare's start takes what CPU is left. Once ready it is set back to the gateway's own priority
 * (restorePriority()), which needs the right to raise a priority (root, or CAP_SYS_NICE / RLIMIT_NICE):
 * without it a spare stays at SPARE_NICE for its life, below the gateway and the processes started
 * for a request. A process started for a waiting request starts at the gateway's priority.
 */

/** Debian's util-linux `setpriv`, when present: `--pdeathsig KILL` then exec. */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return process.platform === "linux";
  } catch {
    return false;
  }
});

/** How a process ended (both null when it failed to start). */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The niceness a spare starts with. */
export const SPARE_NICE = 10;

/** coreutils' `nice`: the whole process starts niced, its first thread and every later one. */
const NICE = ["/usr/bin/nice", "/bin/nice"].find((p) => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/** Process groups still running: killed if the gateway itself exits, so none outlives it. */
const liveGroups = new Set<number>();

/**
 * What ends our process groups when the gateway is killed (SIGKILL, the OOM killer), where no exit
 * hook runs: the parent-death signal ends each `claude`, but not what it started in its group, such
 * as the `socat` bridge of Claude Code's sandbox, which would live on as an orphan. This small shell,
 * in a group of its own, is told each group we start and end; when its stdin closes (the gateway is
 * gone, however it died) it kills the groups still listed, then exits.
 */
const REAPER_SCRIPT =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash script (its own ${!g[@]}), not a template
  'declare -A g; while read -r op id; do if [ "$op" = + ]; then g[$id]=1; else unset "g[$id]"; fi; done; for id in "${!g[@]}"; do kill -KILL -- "-$id" 2>/dev/null; done';
let reaper: ChildProcess | null | undefined;

function startReaper(): ChildProcess | null {
  const bash = ["/bin/bash", "/usr/bin/bash"].find((p) => fs.existsSync(p));
  if (!bash) return null;
  const child = spawn(bash, ["-c", REAPER_SCRIPT], {
    stdio: ["pipe", "ignore", "ignore"],
    detached: true,
    env: {} as NodeJS.ProcessEnv,
  });
  child.on("error", () => {
    reaper = null;
  });
  child.unref();
  // Its stdin must not keep the gateway alive either.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.stdin?.on("error", () => {});
  return child;
}

function reaperTell(line: string): void {
  if (reaper === undefined) reaper = startReaper();
  if (reaper?.stdin?.writable) reaper.stdin.write(`${line}\n`);
}
let exitHook = false;
const exits = new WeakMap<ChildProcess, Promise<ExitInfo>>();

/**
 * The one `exit` listener (and one `error` listener) this gateway puts on a process: it kills what
 * the process left in its group and settles the promise every waiter here shares (processExit). A
 * listener per waiter would add up: the Agent SDK itself puts up to eight `exit` listeners on a
 * spare's process (its prewarm, its reader and its close each wait for the exit), and Node warns
 * (MaxListenersExceededWarning) past ten.
 */
function watch(child: ChildProcess): Promise<ExitInfo> {
  const pgid = child.pid;
  if (pgid !== undefined) {
    liveGroups.add(pgid);
    reaperTell(`+ ${pgid}`);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      if (pgid !== undefined) {
        // The leader is gone; whatever it started in its group goes too.
        signalGroup(pgid, "SIGKILL");
        liveGroups.delete(pgid);
        reaperTell(`- ${pgid}`);
      }
      resolve({ code, signal });
    });
    // Errors reach the SDK through its own listener; one that failed to start (no pid) never exits.
    child.on("error", () => {
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  exits.set(child, exited);
  if (!exitHook && pgid !== undefined) {
    exitHook = true;
    process.once("exit", () => {
      for (const g of liveGroups) signalGroup(g, "SIGKILL");
    });
  }
  return exited;
}

/** Settles when a process started here has exited (or failed to start). */
export function processExit(child: SpawnedProcess): Promise<ExitInfo> {
  const c = child as ChildProcess;
  return exits.get(c) ?? watch(c);
}

function signalGroup(pgid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** The stderr tail of each process we started (for error messages), by pid. */
const stderrTails = new WeakMap<ChildProcess, string>();

export function stderrTail(child: SpawnedProcess | undefined): string {
  return child ? (stderrTails.get(child as ChildProcess) ?? "") : "";
}

/** The environment each process was started with (where its files are: local-files.ts). */
const envs = new WeakMap<ChildProcess, Record<string, string | undefined>>();

export const envOf = (child: SpawnedProcess | undefined): Record<string, string | undefined> =>
  (child && envs.get(child as ChildProcess)) ?? {};

/**
 * Starts a `claude` process (`nice`: how much lower its CPU priority is than the gateway's). The first
 * one in a config folder clears what earlier processes left there; each one's own files go when it ends.
 */
export function spawnClaude(opts: SpawnOptions, nice = 0): SpawnedProcess {
  sweepOnce(opts.env);
  removeProbesSoon(opts.env);
  const niced = NICE && nice ? [NICE, "-n", String(nice), opts.command] : [opts.command];
  const [cmd, args] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "KILL", "--", ...niced, ...opts.args]]
    : [niced[0] as string, [...niced.slice(1), ...opts.args]];
  const child: ChildProcess = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
    windowsHide: true,
  });
  stderrTails.set(child, "");
  envs.set(child, opts.env);
  child.stderr?.on("data", (d: Buffer) => {
    stderrTails.set(child, ((stderrTails.get(child) ?? "") + d.toString("utf8")).slice(-4096));
  });
  const pid = child.pid;
  void watch(child).then(() => pid !== undefined && removeProcessFiles(opts.env, pid));
  if (!NICE && nice && child.pid !== undefined) setNice(child.pid, os.getPriority() + nice);
  // The SDK ends a process with kill(): make that reach the whole group.
  const kill = child.kill.bind(child);
  child.kill = (sig?: NodeJS.Signals | number) => {
    if (
      child.pid !== undefined &&
      child.exitCode === null &&
      signalGroup(child.pid, (sig ?? "SIGTERM") as NodeJS.Signals)
    )
      return true;
    return kill(sig);
  };
  opts.signal.addEventListener("abort", () => child.kill("SIGKILL"), { once: true });
  return child as SpawnedProcess; // stdio is "pipe": stdin and stdout are set
}

function setNice(tid: number, nice: number): boolean {
  try {
    os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * A spare is ready: every thread of it back to the gateway's own priority (Linux: a thread's
 * niceness is its own, so each is set). Best effort: without the right to raise a priority it stays.
 */
export function restorePriority(child: SpawnedProcess | undefined): void {
  const pid = pidOf(child);
  if (pid === undefined) return;
  const own = os.getPriority();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    setNice(pid, own);
    return;
  }
  for (const tid of tids) if (!setNice(Number(tid), own)) return;
}

/** TERM to a process group, KILL after `graceMs`; resolves once the leader is gone. */
export async function endProcess(child: SpawnedProcess | undefined, graceMs = 1_500): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode) return;
  const exited = processExit(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A process's id (the SDK's SpawnedProcess type does not name it), or undefined before it started. */
export const pidOf = (child: SpawnedProcess | undefined): number | undefined =>
  (child as ChildProcess | undefined)?.pid;

/** Resident memory of a process in bytes (Linux /proc), or 0 when unknown. */
export function residentBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
