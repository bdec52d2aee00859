import "server-only";
import { spawnSync } from "node:child_process";
import { onPath } from "./binary";

/** Whether Claude Code's command sandbox can run on this machine (Linux: bubblewrap and socat). */
export interface SandboxStatus {
  available: boolean;
  /** The programs the sandbox needs that are not on PATH. */
  missing: string[];
  /** Why bubblewrap, though installed, could not start a sandbox (no user namespaces, say). */
  error: string | null;
  /** What to do about it, for a 503 and /health. */
  hint: string | null;
}

const NEEDED = ["bwrap", "socat"] as const;
const PACKAGES: Record<(typeof NEEDED)[number], string> = { bwrap: "bubblewrap", socat: "socat" };
/** A failed check is made again after this long (someone may install the packages meanwhile). */
const RETRY_MS = 30_000;

let cached: { status: SandboxStatus; at: number } | undefined;

/**
 * Looks for bubblewrap and socat on the PATH the `claude` processes get, and starts one empty
 * bubblewrap sandbox (no network, own process ids) as Claude Code's sandbox does. A working result
 * is kept for the gateway's life; a failed one is checked again after RETRY_MS.
 */
export function sandboxStatus(now = Date.now()): SandboxStatus {
  if (cached && (cached.status.available || now - cached.at < RETRY_MS)) return cached.status;
  cached = { status: check(), at: now };
  return cached.status;
}

function check(): SandboxStatus {
  if (process.platform !== "linux") {
    return { available: false, missing: [], error: `not supported here (${process.platform})`, hint: null };
  }
  const missing = NEEDED.filter((n) => !onPath(n));
  if (missing.length) {
    const pkgs = missing.map((m) => PACKAGES[m]).join(" ");
    return { available: false, missing, error: null, hint: `install ${pkgs} (Debian: apt-get install ${pkgs})` };
  }
  const bwrap = onPath("bwrap") as string;
  const args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net", "--unshare-pid", "true"];
  const res = spawnSync(bwrap, args, { timeout: 10_000, encoding: "utf8" });
  if (res.status === 0) return { available: true, missing: [], error: null, hint: null };
  const error = (res.error?.message ?? res.stderr ?? `exit ${res.status}`).trim().slice(0, 300) || `exit ${res.status}`;
  return {
    available: false,
    missing: [],
    error,
    hint: "bubblewrap cannot create a sandbox here: allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1), or run the gateway where they are allowed",
  };
}
