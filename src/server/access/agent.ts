import "server-only";
import path from "node:path";
import { db } from "../db";
import { env } from "../env";
import { ApiError } from "../openai/errors";
import type { Principal } from "./policy";

/**
 * What a caller's Claude Code tasks may do, and where (issue 24). The levels:
 *   read-only     Claude Code's file-reading tools (Read, Grep, Glob) inside the workspace; no shell, no edits
 *   sandboxed     shell commands, edits and writes inside the workspace, every command in Claude Code's
 *                 sandbox (bubblewrap), with no permission prompt
 *   unrestricted  every tool, no sandbox, no permission check (CLAUDE_SKIP_PERMS): only when the operator
 *                 set CLAUDE_SKIP_PERMS=true, and for an API key only when the admin also chose it
 * A key's level is null until the admin sets one: sandboxed where the sandbox works, read-only where it
 * does not. The admin key, the console and an open gateway: unrestricted with CLAUDE_SKIP_PERMS=true
 * (its meaning before keys had levels), else the same default. Nothing in a request changes a level.
 */
export const AGENT_LEVELS = ["read-only", "sandboxed", "unrestricted"] as const;
export type AgentLevel = (typeof AGENT_LEVELS)[number];

export const isAgentLevel = (v: unknown): v is AgentLevel => AGENT_LEVELS.includes(v as AgentLevel);

export interface AgentGrant {
  /** Whose processes these are: the key's id, or "" (admin, console, open gateway). */
  owner: string;
  /** The level chosen for the caller, or null: the default. */
  level: AgentLevel | null;
  /** The workspace the admin chose (absolute), or null: CLAUDE_WORKDIR for "", `CLAUDE_WORKDIR/keys/<id>` for a key. */
  workspace: string | null;
  /** Other keys' chosen workspaces that do not hold this caller's own: its commands may not read them. */
  others: string[];
}

/** The grant of the admin key, the console and an open gateway: CLAUDE_WORKDIR, unrestricted with CLAUDE_SKIP_PERMS. */
export const adminGrant = (): AgentGrant => ({
  owner: "",
  level: env().CLAUDE_SKIP_PERMS ? "unrestricted" : null,
  workspace: null,
  others: [],
});

/** The grant of a principal (a key's level and workspace come from its record). */
export async function agentGrant(p: Principal): Promise<AgentGrant> {
  if (p.kind !== "key") return adminGrant();
  const own = p.key.workspace;
  const others = (await chosenWorkspaces()).filter((w) => w.keyId !== p.key.id && !(own && overlaps(own, w.dir)));
  return {
    owner: p.key.id,
    level: isAgentLevel(p.key.agentLevel) ? p.key.agentLevel : null,
    workspace: own,
    others: [...new Set(others.map((w) => w.dir))],
  };
}

/** One path is the other or holds it. */
export const overlaps = (a: string, b: string): boolean => a === b || inside(a, b) || inside(b, a);

let cache: { rows: Array<{ keyId: string; dir: string }>; at: number } | null = null;
/** How long the list of chosen workspaces is kept (a change made on this instance clears it at once). */
const CACHE_MS = 5_000;

/** The workspaces the admin chose for keys that are not revoked. */
export async function chosenWorkspaces(now = Date.now()): Promise<Array<{ keyId: string; dir: string }>> {
  if (cache && now - cache.at < CACHE_MS) return cache.rows;
  const prisma = await db();
  const rows = await prisma.apiKey.findMany({
    where: { workspace: { not: null }, revokedAt: null },
    select: { id: true, workspace: true },
  });
  cache = { rows: rows.map((r) => ({ keyId: r.id, dir: r.workspace as string })), at: now };
  return cache.rows;
}

export const forgetWorkspaces = () => {
  cache = null;
};

/** The paths a chosen workspace must keep clear of (claude-code/workspace.ts protectedPaths). */
export interface Protected {
  /** Never part of a workspace, nor holding one: Claude Code's login and transcripts, the database. */
  sealed: string[];
  /** A workspace may lie inside, never hold them: the gateway's folder, the home folder. */
  around: string[];
  /** The folder a key works in when the admin chose none (`CLAUDE_WORKDIR/keys/<id>`). */
  defaultDir(keyId: string): string;
}

/**
 * Checks a workspace the admin chose for a key: an absolute path (normalized) that keeps clear of what
 * the sandbox protects, and is not another key's workspace (the same folder, or one inside the other)
 * unless `share` says the admin means it.
 */
export async function checkWorkspace(
  keyId: string | null,
  dir: string,
  share: boolean,
  guard: Protected,
): Promise<string> {
  if (!path.isAbsolute(dir)) {
    throw badWorkspace(`The workspace must be an absolute path; got "${dir.slice(0, 200)}".`);
  }
  const norm = path.resolve(dir);
  const hit =
    guard.sealed.find((p) => overlaps(norm, p)) ?? guard.around.find((p) => overlaps(norm, p) && !inside(norm, p));
  if (hit) {
    throw badWorkspace(
      `The workspace ${norm} would expose ${hit}, which Claude Code's tasks may not reach (the gateway's files, its database, Claude Code's login or the home folder). Choose a folder of its own.`,
    );
  }
  const prisma = await db();
  const keys = await prisma.apiKey.findMany({ where: { revokedAt: null }, select: { id: true, workspace: true } });
  const clash = keys
    .map((k) => ({ keyId: k.id, dir: k.workspace ?? guard.defaultDir(k.id) }))
    .find((w) => w.keyId !== keyId && overlaps(norm, w.dir));
  if (clash && !share) {
    throw new ApiError(
      409,
      `The workspace ${norm} overlaps ${clash.dir}, the workspace of key ${clash.keyId}. Send "share_workspace": true to let the two keys share it.`,
      { code: "workspace_in_use", param: "workspace" },
    );
  }
  return norm;
}

/** `inner` lies strictly inside `outer`. */
const inside = (inner: string, outer: string) => inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);

const badWorkspace = (message: string) => new ApiError(400, message, { code: "invalid_workspace", param: "workspace" });
