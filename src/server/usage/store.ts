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
}

export async function insertRequest(row: RequestRow): Promise<void> {
  const prisma = await db();
  await prisma.request.create({ data: row, select: { id: true } });
}
