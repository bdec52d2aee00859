import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Options } from "@anthropic-ai/claude-agent-sdk";
import type { AgentGrant, AgentLevel, Protected } from "../../access/agent";
import { env } from "../../env";
import { ApiError } from "../../openai/errors";
import { transcriptStore } from "../../sessions/transcripts";
import { claudeEnv, secretNames } from "./claude-env";
import { sandboxStatus } from "./sandbox-check";

/**
 * THE ONE PLACE that turns a caller's grant (access/agent.ts: level and workspace) into what its
 * `claude` processes get: the working directory, the environment, the permission mode, the tools and
 * Claude Code's own sandbox settings. A process is started for one placement and serves only it
 * (`Placement.key` is part of every process's key: warm sessions, reused processes and spares stay
 * within one workspace and level).
 *
 * - read-only: only the Read, Grep and Glob tools, reads outside the workspace refused
 *   (`blockReadsOutsideWorkingDirectories`), no shell, no edits.
 * - sandboxed: `acceptEdits` inside the workspace, writes outside refused; every shell command in
 *   Claude Code's sandbox (bubblewrap, socat) with `autoAllowBashIfSandboxed`, no way out of it
 *   (`allowUnsandboxedCommands: false`, `failIfUnavailable`), writes only to the workspace and the
 *   sandbox's temp folder, no reads of `protectedPaths()` nor of other workspaces, the login variables
 *   hidden (`credentials.envVars`), network only to CLAUDE_SANDBOX_DOMAINS.
 * - unrestricted: `bypassPermissions`, no sandbox (CLAUDE_SKIP_PERMS).
 * At the first two levels Claude Code reads only the operator's user settings, never the workspace's
 * `.claude/settings*.json` or CLAUDE.md (a task could write them: a hook runs outside the sandbox).
 */

/** The default working directory: a folder of its own, so runs never see the gateway's files (its database). */
export const DEFAULT_WORKDIR = "claude-workdir";

export function workdir(): string {
  const configured = env().CLAUDE_WORKDIR;
  const dir = path.resolve(/*turbopackIgnore: true*/ configured ?? DEFAULT_WORKDIR);
  if (!configured) fs.mkdirSync(/*turbopackIgnore: true*/ dir, { recursive: true });
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir) || !fs.statSync(/*turbopackIgnore: true*/ dir).isDirectory()) {
    throw new ApiError(503, `CLAUDE_WORKDIR (${dir}) is not a directory.`, { code: "claude_unavailable" });
  }
  return dir;
}

/** A key's own folder when the admin chose none. */
export const keyWorkspace = (keyId: string): string => path.join(workdir(), "keys", keyId);

/** The level a chosen one (or null) comes to: itself, else sandboxed where the sandbox works, read-only elsewhere. */
export const effectiveLevel = (chosen: AgentLevel | null): AgentLevel =>
  chosen ?? (sandboxStatus().available ? "sandboxed" : "read-only");

/** What Claude Code's tasks may never read, and a workspace must keep clear of (access/agent.ts checkWorkspace). */
export function protectedPaths(): Protected {
  const e = env();
  const home = process.env.HOME ?? os.homedir();
  const config = process.env.CLAUDE_CONFIG_DIR
    ? path.resolve(process.env.CLAUDE_CONFIG_DIR)
    : path.join(home, ".claude");
  const dbFile = e.DATABASE_URL ? [] : [path.resolve(/*turbopackIgnore: true*/ e.USAGE_DB_PATH)];
  return {
    sealed: [
      config,
      path.join(home, ".claude.json"),
      ...dbFile.flatMap((f) => [f, `${f}-wal`, `${f}-shm`, `${f}-journal`]),
    ],
    around: [process.cwd(), home],
    defaultDir: keyWorkspace,
  };
}

export interface Placement {
  /** What fixes a process to this placement (part of its process key). */
  key: string;
  /** The working directory (created on first use). */
  dir: string;
  level: AgentLevel;
  /** Its conversations are kept (a session's): mirrored to the database; otherwise none is written. */
  keep: boolean;
  /** Options every process of this placement starts with (cwd, env, permissions, sandbox, tools). */
  options: Options;
}

/** A short, private temp folder per placement for Claude Code (CLAUDE_CODE_TMPDIR): a sandbox's TMPDIR is below it. */
function tempBase(): string {
  return path.join(os.tmpdir(), "claude-task-tmp");
}

function ensureDir(dir: string, mode?: number): void {
  try {
    fs.mkdirSync(/*turbopackIgnore: true*/ dir, { recursive: true, ...(mode ? { mode } : {}) });
  } catch (e) {
    throw new ApiError(503, `The workspace ${dir} cannot be created: ${(e as Error).message}`, {
      code: "workspace_unavailable",
    });
  }
  if (!fs.statSync(/*turbopackIgnore: true*/ dir).isDirectory()) {
    throw new ApiError(503, `The workspace ${dir} is not a directory.`, { code: "workspace_unavailable" });
  }
}

/**
 * The placement of a grant's processes; `keep`: for a conversation the gateway keeps (a session's).
 * Its transcript is then mirrored to the database as Claude Code writes it (`sessionStore`, loaded
 * from there to resume on any instance; sessions/transcripts.ts), and a stateless request's process
 * writes none (`persistSession: false`). Throws 503 `sandbox_unavailable` (naming what to install) when
 * the level needs the sandbox and it does not work here, 403 `level_not_permitted` for an unrestricted
 * key while CLAUDE_SKIP_PERMS is off; never runs a sandboxed level without the sandbox.
 */
export function placementFor(grant: AgentGrant, keep = false): Placement {
  const e = env();
  const level = effectiveLevel(grant.level);
  if (level === "unrestricted" && !e.CLAUDE_SKIP_PERMS) {
    throw new ApiError(
      403,
      "This API key's Claude Code level is `unrestricted`, which the gateway allows only with CLAUDE_SKIP_PERMS=true; ask the admin for another level.",
      { code: "level_not_permitted", type: "permission_error" },
    );
  }
  if (level === "sandboxed") {
    const s = sandboxStatus();
    if (!s.available) {
      throw new ApiError(
        503,
        `Claude Code's sandbox does not work on this machine (${s.missing.length ? `missing: ${s.missing.join(", ")}` : s.error}); ${s.hint ?? "it is needed"}. This caller's tasks run only inside it.`,
        { code: "sandbox_unavailable", headers: { "retry-after": "60" } },
      );
    }
  }
  const dir = grant.workspace ?? (grant.owner ? keyWorkspace(grant.owner) : workdir());
  ensureDir(dir);
  const tmp = path.join(tempBase(), createHash("sha256").update(dir).digest("hex").slice(0, 12));
  ensureDir(tmp, 0o700);
  const childEnv = claudeEnv({ ...QUIET_CLAUDE_ENV, CLAUDE_CODE_TMPDIR: tmp });
  const options = optionsFor(level, dir, tmp, grant, childEnv);
  const key = createHash("sha256").update(JSON.stringify({ level, dir, options, keep })).digest("hex").slice(0, 16);
  const transcripts: Options = !keep
    ? { persistSession: false }
    : e.CLAUDE_TRANSCRIPTS === "database"
      ? { sessionStore: transcriptStore }
      : {};
  return { key, dir, level, keep, options: { ...options, ...transcripts } };
}

/**
 * Set for every `claude` process: it makes no upstream call its client did not ask for (checked
 * against CLI 2.1.332, see tests/integration/claude-upstream-calls.test.ts).
 * - CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: without it each turn also asked the main model for a
 *   session title ("You are naming a coding session…", max_tokens 128000), and each process (an idle
 *   spare too) sent `HEAD /api/hello` to ANTHROPIC_BASE_URL at start; it also turns telemetry and
 *   auto-updates off.
 * - CLAUDE_CODE_DISABLE_TERMINAL_TITLE: the title call's own switch (the CLI checks either).
 * - DISABLE_AUTOUPDATER, DISABLE_TELEMETRY: updates and telemetry by their own switches too.
 * - DISABLE_ERROR_REPORTING: crash reports, which the first switch does not cover.
 * DISABLE_NON_ESSENTIAL_MODEL_CALLS is not read by this CLI.
 */
const QUIET_CLAUDE_ENV: Readonly<Record<string, string>> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  CLAUDE_CODE_DISABLE_TERMINAL_TITLE: "1",
  DISABLE_AUTOUPDATER: "1",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
};

/** The file tools stay inside the working directory, whatever the permission mode. */
const FILE_TOOLS_INSIDE = { blockReadsOutsideWorkingDirectories: true, blockWritesOutsideWorkingDirectories: true };

/** The tools of the read-only level. */
export const READ_ONLY_TOOLS = ["Read", "Grep", "Glob"];

function optionsFor(
  level: AgentLevel,
  dir: string,
  tmp: string,
  grant: AgentGrant,
  childEnv: Record<string, string>,
): Options {
  const base: Options = { cwd: dir, env: childEnv };
  if (level === "unrestricted") {
    return { ...base, permissionMode: "bypassPermissions", allowDangerouslySkipPermissions: true };
  }
  if (level === "read-only") {
    return {
      ...base,
      tools: READ_ONLY_TOOLS,
      settingSources: ["user"],
      settings: { permissions: { ...FILE_TOOLS_INSIDE, deny: ["Bash", "Write", "Edit", "NotebookEdit"] } },
    };
  }
  const p = protectedPaths();
  const root = workdir();
  const domains = env().CLAUDE_SANDBOX_DOMAINS;
  // Other workspaces: every key's own folder (CLAUDE_WORKDIR holds them all) and those the admin chose.
  const others = grant.owner ? [root, ...grant.others] : [];
  const denyRead = [...new Set([...p.sealed, ...p.around, tempBase(), ...others])].filter((d) => d !== dir);
  return {
    ...base,
    permissionMode: "acceptEdits",
    settingSources: ["user"],
    settings: {
      permissions: { ...FILE_TOOLS_INSIDE, allow: domains.map((d) => `WebFetch(domain:${d})`) },
    },
    sandbox: {
      enabled: true,
      failIfUnavailable: true,
      autoAllowBashIfSandboxed: true,
      allowUnsandboxedCommands: false,
      network: { allowedDomains: domains, strictAllowlist: true },
      filesystem: { allowWrite: [dir], denyRead, allowRead: [dir, tmp] },
      credentials: { envVars: secretNames(childEnv).map((name) => ({ name, mode: "deny" as const })) },
    },
  };
}
