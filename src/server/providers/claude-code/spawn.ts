import "server-only";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import type { SpawnedProcess, SpawnOptions } from "@anthropic-ai/claude-agent-sdk";

/**
 * How the Agent SDK starts `claude` here (its `spawnClaudeCodeProcess`): no shell, a process group
 * of its own (so its children die with it), a parent-death signal where Linux's `setpriv` exists (a
 * gateway killed with SIGKILL or by the OOM killer takes its `claude` processes with it), and the
 * SDK's kill() sent to the whole group. The SDK passes the environment we gave it (never merged).
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

/** Process groups still running: killed if the gateway itself exits, so none outlives it. */
const liveGroups = new Set<number>();
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
  if (pgid !== undefined) liveGroups.add(pgid);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      if (pgid !== undefined) {
        // The leader is gone; whatever it started in its group goes too.
        signalGroup(pgid, "SIGKILL");
        liveGroups.delete(pgid);
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

export function spawnClaude(opts: SpawnOptions): SpawnedProcess {
  const [cmd, args] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "KILL", "--", opts.command, ...opts.args]]
    : [opts.command, opts.args];
  const child: ChildProcess = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
    windowsHide: true,
  });
  stderrTails.set(child, "");
  child.stderr?.on("data", (d: Buffer) => {
    stderrTails.set(child, ((stderrTails.get(child) ?? "") + d.toString("utf8")).slice(-4096));
  });
  watch(child);
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

/** TERM to a process group, KILL after `graceMs`; resolves once the leader is gone. */
export async function endProcess(child: SpawnedProcess | undefined, graceMs = 1_500): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode) return;
  const exited = processExit(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

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
