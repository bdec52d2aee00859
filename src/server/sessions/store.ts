import "server-only";
import { db } from "../db";
import type { ChatMessage } from "../openai/schemas";
import type { ProviderId, TokenUsage } from "../providers/types";

export interface StoredSession {
  id: string;
  provider: string;
  model: string;
  upstreamSessionId: string | null;
  systemPrompt: string | null;
  turnCount: number;
  history: ChatMessage[];
}

/** A session and its stored history (oldest first), or null when the id is new. */
export async function loadSession(id: string): Promise<StoredSession | null> {
  const prisma = await db();
  const s = await prisma.session.findUnique({
    where: { id },
    select: {
      id: true,
      provider: true,
      model: true,
      upstreamSessionId: true,
      systemPrompt: true,
      turnCount: true,
      messages: { select: { content: true }, orderBy: { id: "asc" } },
    },
  });
  if (!s) return null;
  const { messages, ...rest } = s;
  return { ...rest, history: messages.map((m) => JSON.parse(m.content) as ChatMessage) };
}

/** The cost of every recorded request of a session (USD), for providers that report running totals. */
export async function sessionCostUsd(id: string): Promise<number> {
  const prisma = await db();
  const r = await prisma.request.aggregate({ where: { sessionId: id }, _sum: { costUsd: true } });
  return r._sum.costUsd ?? 0;
}

export interface TurnCommit {
  sessionId: string;
  provider: ProviderId;
  model: string;
  upstreamSessionId: string | null;
  systemPrompt: string | null;
  /** The client's new messages of this turn (no system messages), then the assistant's answer. */
  messages: ChatMessage[];
  requestId: string;
  /** The API key of the request that starts the session (kept as the session's key). */
  keyId?: string | null;
  usage: TokenUsage;
  title: string;
}

/** Saves a successful turn in one transaction: creates the session on its first success only. */
export async function commitTurn(t: TurnCommit): Promise<void> {
  const prisma = await db();
  const now = new Date();
  const total = t.usage.promptTokens + t.usage.completionTokens;
  await prisma.$transaction(async (tx) => {
    const s = await tx.session.upsert({
      where: { id: t.sessionId },
      create: {
        id: t.sessionId,
        provider: t.provider,
        model: t.model,
        upstreamSessionId: t.upstreamSessionId,
        systemPrompt: t.systemPrompt,
        title: t.title.slice(0, 120) || null,
        createdAt: now,
        lastUsedAt: now,
        turnCount: 1,
        keyId: t.keyId ?? null,
        promptTokens: t.usage.promptTokens,
        completionTokens: t.usage.completionTokens,
        totalTokens: total,
      },
      update: {
        model: t.model,
        upstreamSessionId: t.upstreamSessionId,
        systemPrompt: t.systemPrompt,
        lastUsedAt: now,
        turnCount: { increment: 1 },
        promptTokens: { increment: t.usage.promptTokens },
        completionTokens: { increment: t.usage.completionTokens },
        totalTokens: { increment: total },
      },
      select: { turnCount: true },
    });
    const last = t.messages.length - 1;
    await tx.sessionMessage.createMany({
      data: t.messages.map((m, i) => ({
        sessionId: t.sessionId,
        turn: s.turnCount,
        role: m.role,
        content: JSON.stringify(m),
        requestId: t.requestId,
        promptTokens: i === last ? t.usage.promptTokens : null,
        completionTokens: i === last ? t.usage.completionTokens : null,
        createdAt: now,
      })),
    });
  });
}
