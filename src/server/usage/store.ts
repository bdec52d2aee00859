import "server-only";
import path from "node:path";
import { db } from "../db";
import { env } from "../env";
import { setRecordWriteFailures } from "../metrics/sources";
import type { Step } from "../steps/types";
import { PgRecordWriter } from "./pg-writer";
import type { RecordOp, RecordQueue } from "./record-queue";
import { RecordWriter } from "./writer";

export interface RequestRow {
  id: string;
  createdAt: Date;
  model: string;
  provider: string;
  upstreamModel: string | null;
  stream: boolean;
  sessionId: string | null;
  /** `running` from the start of a request until its end; `interrupted` when the gateway died first. */
  status: "ok" | "error" | "cancelled" | "running" | "interrupted";
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
  /** The model name the client sent, when an alias (MODEL_ALIASES) mapped it to `model`. */
  requestedModel?: string | null;
  /** The API key that made the request. */
  keyId?: string | null;
  /** The previous leg of a tool-call loop, and how long its client took to come back (ms). */
  parentRequestId?: string | null;
  toolWaitMs?: number | null;
  /** The upstream host that served the request (an Ollama host's name, without credentials). */
  upstreamHost?: string | null;
}

export interface RequestContentRow {
  prompt: string;
  answer: string;
}

/** How long a caller waits for its record to be committed; the write itself goes on being retried. */
const WAIT_MS = 2_000;

const g = globalThis as unknown as { __ccBridgeRecords?: RecordQueue };

/**
 * The one writer of request records in this process (the record queue, record-queue.ts, over its own
 * connection): SQLite (writer.ts), or PostgreSQL when DATABASE_URL is set (pg-writer.ts).
 */
export function recordWriter(): RecordQueue {
  if (!g.__ccBridgeRecords) {
    const url = env().DATABASE_URL;
    g.__ccBridgeRecords = url ? new PgRecordWriter(url) : new RecordWriter(path.resolve(env().USAGE_DB_PATH));
    // ccbridge_record_write_failures_total on /metrics reads this writer's count from now on.
    setRecordWriteFailures(failedRecordWrites);
  }
  return g.__ccBridgeRecords;
}

const bounded = (p: Promise<boolean>) =>
  new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), WAIT_MS);
    t.unref?.();
    void p.then((ok) => {
      clearTimeout(t);
      resolve(ok);
    });
  });

/**
 * Queues the `running` record of a request that starts. `snapshot` is called when the batch is
 * written (a few ms later), so it sees what the request learned meanwhile; when the request has
 * already finished by then, only the final record is written.
 */
export function beginRequest(id: string, snapshot: () => { row: RequestRow; content: RequestContentRow | null }): void {
  recordWriter().enqueue({ kind: "begin", id, snapshot } satisfies RecordOp);
}

/**
 * Writes (or completes) a request's record: true once committed, false when it was not committed
 * within WAIT_MS (it stays queued and is retried until the database takes it). Never throws.
 */
export function finishRequest(
  row: RequestRow,
  content?: RequestContentRow | null,
  steps?: Step[] | null,
): Promise<boolean> {
  return bounded(recordWriter().enqueue({ kind: "finish", id: row.id, row, content: content ?? null, steps }));
}

/** Writes a record and waits for it; throws when it could not be written in time. */
export async function insertRequest(row: RequestRow, content?: RequestContentRow | null): Promise<void> {
  if (!(await finishRequest(row, content))) throw new Error(`record ${row.id} not saved: ${storeError() ?? "timeout"}`);
}

/** Record writes (one per request record) that failed at least once since the process started. */
export const failedRecordWrites = (): number => g.__ccBridgeRecords?.failedWrites ?? 0;

/** Records given up (never written) since the process started. */
export const lostRecords = (): number => g.__ccBridgeRecords?.lost ?? 0;

/** Why the last record write failed, while writes fail; null while they succeed. */
export const storeError = (): string | null => g.__ccBridgeRecords?.error ?? null;

/** A cheap write to the database (the writer's own connection): null when it works, else the reason. */
export const probeWrite = (): string | null => recordWriter().probe();

/** A tool loop's client never came back: note the wait on the leg that asked for the tools. */
export async function recordToolWaitExpired(requestId: string, waitedMs: number): Promise<void> {
  const prisma = await db();
  await prisma.request.updateMany({ where: { id: requestId }, data: { toolWaitMs: waitedMs } });
}
