import "server-only";
import { db } from "../db";

export interface RequestRow {
  id: string;
  createdAt: Date;
  model: string;
  provider: string;
  upstreamModel: string | null;
  stream: boolean;
  sessionId: string | null;
  status: "ok" | "error" | "cancelled";
  httpStatus: number;
  errorType: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  finishReason: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens: number;
  costUsd: number | null;
  durationMs: number;
  ttftMs: number | null;
  userAgent: string | null;
  clientAddress: string | null;
  /** The API path; defaults to /v1/chat/completions in the table. */
  endpoint?: string;
  /** The API key that made the request. */
  keyId?: string | null;
  /** The previous leg of a tool-call loop, and how long its client took to come back (ms). */
  parentRequestId?: string | null;
  toolWaitMs?: number | null;
}

export interface RequestContentRow {
  prompt: string;
  answer: string;
}

/** Longest prompt or answer kept, in characters. */
const CONTENT_LIMIT = 200_000;
const clip = (s: string) => (s.length > CONTENT_LIMIT ? `${s.slice(0, CONTENT_LIMIT)}…[truncated]` : s);

export async function insertRequest(row: RequestRow, content?: RequestContentRow | null): Promise<void> {
  const prisma = await db();
  await prisma.request.create({
    data: {
      ...row,
      ...(content ? { content: { create: { prompt: clip(content.prompt), answer: clip(content.answer) } } } : {}),
    },
    select: { id: true },
  });
}

/** A tool loop's client never came back: note the wait on the leg that asked for the tools. */
export async function recordToolWaitExpired(requestId: string, waitedMs: number): Promise<void> {
  const prisma = await db();
  await prisma.request.updateMany({ where: { id: requestId }, data: { toolWaitMs: waitedMs } });
}
