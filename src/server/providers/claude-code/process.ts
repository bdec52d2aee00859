import "server-only";
import type { ChildProcess } from "node:child_process";
import readline from "node:readline";
import { execa } from "execa";

export interface ClaudeProcess {
  child: ChildProcess;
  /** stdout, a line at a time. */
  lines: AsyncIterable<string>;
  /** The last few KB of stderr. */
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** TERM to the whole process group, KILL after `graceMs`; resolves once it is gone. */
  kill(graceMs?: number): Promise<void>;
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGKILL to a process group, then waits (up to 2 s) until none of it is left. */
async function killGroup(pgid: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {}
  const deadline = Date.now() + 2_000;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Process groups still running: killed if the gateway itself exits, so none outlives it. */
const liveGroups = new Set<number>();
let exitHook = false;
function track(pgid: number, exited: Promise<unknown>) {
  liveGroups.add(pgid);
  void exited.then(() => liveGroups.delete(pgid));
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const g of liveGroups) {
      try {
        process.kill(-g, "SIGKILL");
      } catch {}
    }
  });
}

/**
 * Spawns the CLI (execa, no shell) in a process group of its own, so its children die with it; the
 * environment is exactly `env`; the prompt goes on stdin.
 */
export function spawnClaude(bin: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; stdin: string }) {
  const child: ChildProcess = execa(bin, args, {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: false,
    input: opts.stdin,
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
    buffer: false,
    reject: false,
    cleanup: false, // our own exit hook and kill() handle the whole group
  });
  let errTail = "";
  child.stderr?.on("data", (d: Buffer) => {
    errTail = (errTail + d.toString("utf8")).slice(-4096);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", reject);
  });
  if (child.pid !== undefined) track(child.pid, exited);
  let alive = true;
  void exited.then(() => {
    alive = false;
  });
  const signalGroup = (sig: NodeJS.Signals) => {
    if (!alive || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      try {
        child.kill(sig);
      } catch {}
    }
  };
  const proc: ClaudeProcess = {
    child,
    lines: readline.createInterface({ input: child.stdout!, crlfDelay: Number.POSITIVE_INFINITY }),
    stderr: () => errTail,
    exited,
    async kill(graceMs = 1_500) {
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      // The leader is gone; make sure nothing it started outlives it, and wait until it is gone.
      if (child.pid !== undefined) await killGroup(child.pid);
    },
  };
  return { proc, spawned };
}
