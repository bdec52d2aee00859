import "server-only";
import type { SessionKey, SessionStore, SessionStoreEntry } from "@anthropic-ai/claude-agent-sdk";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import { atMs } from "../sql";

/**
 * Claude Code's transcripts in the gateway's database (TranscriptEntry), mirrored through the Agent
 * SDK's `sessionStore` (alpha in the pinned SDK 0.3.332: what we rely on, `append` with its uuids, is
 * tested in tests/integration/transcripts.test.ts). Only the conversations the gateway keeps reach it: a
 * stateless request's process runs with `persistSession: false` and writes no transcript at all
 * (workspace.ts). An entry with a `uuid` is stored once, however often the SDK sends it (retries, a
 * replay after a process ended: transcript-files.ts); the others are appended as they come.
 * Sessions are told apart by Claude's session id alone (a UUID): the SDK's `projectKey` (the working
 * directory) may differ between instances and is not part of the key.
 */

/** Rows per INSERT: well under SQLite's bound parameters per statement. */
const ROWS = 100;

/** Stores a batch of entries of one transcript (idempotent for entries with a uuid). */
export async function appendEntries(sessionId: string, subpath: string, entries: SessionStoreEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const prisma = await db();
  const at = atMs(Date.now());
  for (let i = 0; i < entries.length; i += ROWS) {
    const rows = entries
      .slice(i, i + ROWS)
      .map(
        (e) =>
          Prisma.sql`(${sessionId}, ${subpath}, ${typeof e.uuid === "string" ? e.uuid : null}, ${JSON.stringify(e)}, ${at})`,
      );
    await prisma.$executeRaw`INSERT INTO "TranscriptEntry" ("sessionId", "subpath", "uuid", "entry", "createdAt")
      VALUES ${Prisma.join(rows)} ON CONFLICT DO NOTHING`;
  }
}

/** A transcript's entries in the order they were stored, or null when none were. */
export async function loadEntries(sessionId: string, subpath = ""): Promise<SessionStoreEntry[] | null> {
  const prisma = await db();
  const rows = await prisma.transcriptEntry.findMany({
    where: { sessionId, subpath },
    orderBy: { id: "asc" },
    select: { entry: true },
  });
  return rows.length ? rows.map((r) => JSON.parse(r.entry) as SessionStoreEntry) : null;
}

/** The uuids stored for a transcript (what a local file may still add: transcript-files.ts). */
export async function storedUuids(sessionId: string, subpath = ""): Promise<Set<string>> {
  const prisma = await db();
  const rows = await prisma.transcriptEntry.findMany({
    where: { sessionId, subpath, uuid: { not: null } },
    select: { uuid: true },
  });
  return new Set(rows.map((r) => r.uuid as string));
}

/**
 * Whether this Claude session is one the gateway keeps: something of its transcript is stored, or a
 * session names it (its mirror may have failed). Its local files are stored, then removed.
 */
export async function isKeptConversation(sessionId: string): Promise<boolean> {
  const prisma = await db();
  const [entry, session] = await Promise.all([
    prisma.transcriptEntry.findFirst({ where: { sessionId }, select: { id: true } }),
    prisma.session.findFirst({ where: { upstreamSessionId: sessionId }, select: { id: true } }),
  ]);
  return entry !== null || session !== null;
}

/** Longest tool result shown in full, in characters. */
const FULL_RESULT_LIMIT = 20_000;

type Block = { type?: string; id?: string; input?: unknown; tool_use_id?: string; content?: unknown };

const resultText = (c: unknown): string =>
  typeof c === "string"
    ? c
    : Array.isArray(c)
      ? c
          .map((b) => (typeof (b as { text?: unknown })?.text === "string" ? (b as { text: string }).text : ""))
          .join("\n")
      : "";

/**
 * Tool calls of a Claude session in full, by call id (sub-agents' included), read from its stored
 * transcript: the one copy of a session's content. The steps (RequestStep) index them.
 */
export async function toolCallsOf(
  sessionId: string,
  callIds: readonly string[],
): Promise<Map<string, { input: string; result: string | null }>> {
  const out = new Map<string, { input: string; result: string | null }>();
  if (callIds.length === 0) return out;
  const wanted = new Set(callIds);
  const prisma = await db();
  const rows = await prisma.transcriptEntry.findMany({
    where: { sessionId, OR: callIds.map((id) => ({ entry: { contains: id } })) },
    orderBy: { id: "asc" },
    select: { entry: true },
  });
  for (const { entry } of rows) {
    let content: unknown;
    try {
      content = (JSON.parse(entry) as { message?: { content?: unknown } }).message?.content;
    } catch {
      continue;
    }
    if (!Array.isArray(content)) continue;
    for (const b of content as Block[]) {
      if (b?.type === "tool_use" && b.id && wanted.has(b.id)) {
        out.set(b.id, { input: JSON.stringify(b.input ?? null, null, 2), result: out.get(b.id)?.result ?? null });
      } else if (b?.type === "tool_result" && b.tool_use_id && wanted.has(b.tool_use_id)) {
        const call = out.get(b.tool_use_id) ?? { input: "null", result: null };
        out.set(b.tool_use_id, { ...call, result: resultText(b.content).slice(0, FULL_RESULT_LIMIT) });
      }
    }
  }
  return out;
}

/** The sub-agents' transcripts of a session (their subpaths). */
export async function subpathsOf(sessionId: string): Promise<string[]> {
  const prisma = await db();
  const rows = await prisma.transcriptEntry.findMany({
    where: { sessionId, subpath: { not: "" } },
    distinct: ["subpath"],
    select: { subpath: true },
  });
  return rows.map((r) => r.subpath);
}

/**
 * The Agent SDK's adapter: every `claude` process of a kept conversation mirrors to it. Its `load`
 * answers "never written" on purpose: the SDK would write the loaded session, with a copy of the
 * login's files, to a folder in the gateway's temp folder, where every workspace's sandboxed commands
 * can read; the gateway writes it back itself, into CLAUDE_CONFIG_DIR, before the process starts
 * (claude-code/local-transcripts.ts restoreTranscript), and the resume reads it there.
 */
export const transcriptStore: SessionStore = {
  append: (key: SessionKey, entries: SessionStoreEntry[]) => appendEntries(key.sessionId, key.subpath ?? "", entries),
  load: async () => null,
};
