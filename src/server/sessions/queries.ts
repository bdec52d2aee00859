import "server-only";
import { db } from "../db";
import { parseJson } from "../json";
import { decodeCursor, page, pageSize } from "../requests/cursor";
import { stepsOf } from "../requests/steps";
import type { Step } from "../steps/types";

export { InvalidCursorError } from "../requests/cursor";

export interface SessionListItem {
  id: string;
  provider: string;
  model: string;
  title: string | null;
  turnCount: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  createdAt: Date;
  lastUsedAt: Date;
  /** The API key that started the session (null: admin, console or open gateway). */
  keyId: string | null;
}

const listSelect = {
  id: true,
  provider: true,
  model: true,
  title: true,
  turnCount: true,
  promptTokens: true,
  completionTokens: true,
  totalTokens: true,
  createdAt: true,
  lastUsedAt: true,
  keyId: true,
} as const;

/**
 * A session's token totals as numbers: on PostgreSQL they are bigint (scripts/pg-schema.mjs PG_BIGINT)
 * and the client returns BigInt values (its types, the SQLite client's, say number).
 */
function numbers<T extends { promptTokens: unknown; completionTokens: unknown; totalTokens: unknown }>(s: T): T {
  return {
    ...s,
    promptTokens: Number(s.promptTokens),
    completionTokens: Number(s.completionTokens),
    totalTokens: Number(s.totalTokens),
  };
}

/**
 * Sessions, most recently used first (lastUsedAt, then id, descending), a page at a time with a keyset
 * cursor (indexes (lastUsedAt, id) and (provider, lastUsedAt, id)). A session used again while someone
 * pages moves to the top: it is not repeated on a later page, and it shows up on a fresh first page.
 */
export async function listSessions(
  opts: { cursor?: string | null; limit?: number; provider?: string } = {},
): Promise<{ items: SessionListItem[]; nextCursor: string | null }> {
  const prisma = await db();
  const limit = pageSize(opts.limit);
  const after = decodeCursor(opts.cursor);
  const rows = await prisma.session.findMany({
    where: {
      provider: opts.provider,
      lastUsedAt: { lte: after?.at },
      ...(after ? { OR: [{ lastUsedAt: { lt: after.at } }, { id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ lastUsedAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: listSelect,
  });
  return page(rows.map(numbers), limit, (s) => ({ at: s.lastUsedAt, id: s.id }));
}

export interface TranscriptMessage {
  role: string;
  /** The stored OpenAI message (role, content, tool_calls, …), parsed. */
  content: unknown;
}

export interface TranscriptTurn {
  turn: number;
  requestId: string | null;
  /** When the turn was stored (its first message). */
  createdAt: Date;
  /** The turn's usage, recorded on its last message; null when it was not recorded. */
  promptTokens: number | null;
  completionTokens: number | null;
  messages: TranscriptMessage[];
  /** What the turn's run did (its request's steps). */
  steps: Step[];
}

export interface SessionTranscript {
  session: SessionListItem & { upstreamSessionId: string | null; systemPrompt: string | null };
  turns: TranscriptTurn[];
}

/** A session and its stored messages grouped by turn (in order); null when there is no such session. */
export async function sessionTranscript(id: string): Promise<SessionTranscript | null> {
  const prisma = await db();
  const found = await prisma.session.findUnique({
    where: { id },
    select: {
      ...listSelect,
      upstreamSessionId: true,
      systemPrompt: true,
      messages: {
        orderBy: { id: "asc" },
        select: {
          turn: true,
          role: true,
          content: true,
          requestId: true,
          promptTokens: true,
          completionTokens: true,
          createdAt: true,
        },
      },
    },
  });
  if (!found) return null;
  const { messages, ...session } = found;
  const turns = new Map<number, TranscriptTurn>();
  for (const m of messages) {
    let turn = turns.get(m.turn);
    if (!turn) {
      turn = {
        turn: m.turn,
        requestId: null,
        createdAt: m.createdAt,
        promptTokens: null,
        completionTokens: null,
        messages: [],
        steps: [],
      };
      turns.set(m.turn, turn);
    }
    turn.requestId ??= m.requestId;
    // The last message of a turn carries its usage.
    turn.promptTokens = m.promptTokens;
    turn.completionTokens = m.completionTokens;
    turn.messages.push({ role: m.role, content: parseJson(m.content) });
  }
  const steps = await stepsOf([...turns.values()].flatMap((t) => (t.requestId ? [t.requestId] : [])));
  for (const t of turns.values()) t.steps = (t.requestId && steps.get(t.requestId)) || [];
  return { session: numbers(session), turns: [...turns.values()].sort((a, b) => a.turn - b.turn) };
}
