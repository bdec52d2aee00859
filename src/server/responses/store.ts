import "server-only";
import { db } from "../db";

export interface StoredResponseRow {
  id: string;
  requestId: string;
  /** The key that made it (null: admin, console or an open gateway). */
  keyId: string | null;
  sessionId: string | null;
  turn: number;
  model: string;
  body: string;
  /** Made with `background: true` (responses/background/). */
  background?: boolean;
  /** `queued`/`in_progress` while a background run goes on; then how it ended. */
  status?: string;
}

export async function saveResponse(r: StoredResponseRow): Promise<void> {
  const prisma = await db();
  await prisma.storedResponse.create({ data: { ...r, createdAt: new Date() }, select: { id: true } });
}

export async function loadResponse(id: string): Promise<StoredResponseRow | null> {
  const prisma = await db();
  return prisma.storedResponse.findUnique({
    where: { id },
    select: {
      id: true,
      requestId: true,
      keyId: true,
      sessionId: true,
      turn: true,
      model: true,
      body: true,
      background: true,
      status: true,
    },
  });
}

/** Deletes a stored response; false when there was none. Its session (shared by the chain) stays. */
export async function deleteResponse(id: string): Promise<boolean> {
  const prisma = await db();
  const [{ count }] = await prisma.$transaction([
    prisma.storedResponse.deleteMany({ where: { id } }),
    prisma.responseEvent.deleteMany({ where: { responseId: id } }),
  ]);
  return count > 0;
}

/** How many turns a session has now (0 when it does not exist). */
export async function sessionTurns(sessionId: string): Promise<number> {
  const prisma = await db();
  const s = await prisma.session.findUnique({ where: { id: sessionId }, select: { turnCount: true } });
  return s?.turnCount ?? 0;
}

/**
 * A new session holding the first `turns` turns of another: continuing an earlier response of a
 * chain (a branch). It has no upstream session, so the stored history is sent again on its first turn.
 */
export async function forkSession(from: string, to: string, turns: number): Promise<void> {
  const prisma = await db();
  await prisma.$transaction(async (tx) => {
    const s = await tx.session.findUnique({
      where: { id: from },
      select: { provider: true, model: true, systemPrompt: true, title: true, keyId: true },
    });
    if (!s) return;
    const now = new Date();
    await tx.session.create({
      data: { id: to, ...s, upstreamSessionId: null, createdAt: now, lastUsedAt: now, turnCount: turns },
      select: { id: true },
    });
    const messages = await tx.sessionMessage.findMany({
      where: { sessionId: from, turn: { lte: turns } },
      orderBy: { id: "asc" },
      select: { turn: true, role: true, content: true, requestId: true, createdAt: true },
    });
    await tx.sessionMessage.createMany({ data: messages.map((m) => ({ ...m, sessionId: to })) });
  });
}

/** Removes a forked session whose first own turn failed (it still has only the copied turns). */
export async function dropFork(sessionId: string, turns: number): Promise<void> {
  const prisma = await db();
  await prisma.session.deleteMany({ where: { id: sessionId, turnCount: turns } });
}
