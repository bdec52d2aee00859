import "server-only";
import { db } from "../db";
import { parseJson } from "../json";
import { toolCallsOf } from "../sessions/transcripts";
import type { Step } from "../steps/types";
import type { RequestRow } from "../usage/store";
import { decodeCursor, page, pageSize } from "./cursor";
import { stepsOf } from "./steps";

export type { Keyset } from "./cursor";
export { InvalidCursorError } from "./cursor";

export type RequestStatus = RequestRow["status"];

export interface RequestFilter {
  model?: string;
  provider?: string;
  status?: RequestStatus;
  sessionId?: string;
  /** The API key that made the request. */
  keyId?: string;
  /** The upstream host that served it (an Ollama host's name). */
  upstreamHost?: string;
  /** A tool its run called (`Bash`, `Write`, `mcp__client__get_weather`…). */
  tool?: string;
  /** createdAt ≥ since */
  since?: Date;
  /** createdAt < until */
  until?: Date;
}

export interface PageOptions {
  /** nextCursor of the previous page; null or absent for the first page. */
  cursor?: string | null;
  /** Default 50, at most 200. */
  limit?: number;
}

export interface RequestListItem {
  id: string;
  createdAt: Date;
  model: string;
  provider: string;
  upstreamModel: string | null;
  stream: boolean;
  sessionId: string | null;
  status: RequestStatus;
  httpStatus: number;
  errorType: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number | null;
  durationMs: number;
  ttftMs: number | null;
  /** The API path called (`/v1/chat/completions`, `/v1/models`…): what a request without a model was. */
  endpoint: string;
  keyId: string | null;
  upstreamHost: string | null;
  /** The status of the background response (issue 26) this request made, if it made one: live while it runs. */
  background: string | null;
  /** Steps of its run (model and tool calls) recorded with it. */
  steps: number;
}

const listSelect = {
  id: true,
  createdAt: true,
  model: true,
  provider: true,
  upstreamModel: true,
  stream: true,
  sessionId: true,
  status: true,
  httpStatus: true,
  errorType: true,
  promptTokens: true,
  completionTokens: true,
  totalTokens: true,
  costUsd: true,
  durationMs: true,
  ttftMs: true,
  endpoint: true,
  keyId: true,
  upstreamHost: true,
} as const;

/**
 * Requests matching the filter, newest first (createdAt, then id, descending), a page at a time.
 * Keyset pagination: a page starts strictly after the previous page's last (createdAt, id), so each
 * row appears exactly once across pages and a deep page costs what the first one does. Each filter
 * (and provider + model) has an index ending in (createdAt, id) that the page walks in order; other
 * filters are checked on the rows walked. Throws InvalidCursorError for a cursor it did not make.
 */
export async function listRequests(
  filter: RequestFilter,
  opts: PageOptions = {},
): Promise<{ items: RequestListItem[]; nextCursor: string | null }> {
  const prisma = await db();
  const limit = pageSize(opts.limit);
  const after = decodeCursor(opts.cursor);
  const rows = await prisma.request.findMany({
    where: {
      model: filter.model,
      provider: filter.provider,
      // "ok" is nearly every row: asked as "none of the other statuses" (the same rows) so SQLite walks the other filter's index instead of the status one; otherwise a
      // model without ok requests would make it read every ok row to find none (0.4 s at 1M rows).
      status: filter.status === "ok" ? { notIn: ["error", "cancelled", "running", "interrupted"] } : filter.status,
      sessionId: filter.sessionId,
      keyId: filter.keyId,
      upstreamHost: filter.upstreamHost,
      ...(filter.tool ? { steps: { some: { tool: filter.tool } } } : {}),
      createdAt: { gte: filter.since, lt: filter.until, lte: after?.at },
      ...(after ? { OR: [{ createdAt: { lt: after.at } }, { id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: { ...listSelect, _count: { select: { steps: true } } },
  });
  const statuses = await backgroundStatuses(rows.map((r) => r.id));
  const items = rows.map(
    ({ _count, ...r }) => ({ ...r, steps: _count.steps, background: statuses.get(r.id) ?? null }) as RequestListItem,
  );
  return page(items, limit, (r) => ({ at: r.createdAt, id: r.id }));
}

/** The background responses the requests made (by request id): their status now. */
async function backgroundStatuses(requestIds: string[]): Promise<Map<string, string>> {
  if (!requestIds.length) return new Map();
  const prisma = await db();
  const rows = await prisma.storedResponse.findMany({
    where: { requestId: { in: requestIds }, background: true },
    select: { requestId: true, status: true },
  });
  return new Map(rows.map((r) => [r.requestId, r.status]));
}

export interface RequestDetail extends RequestRow {
  /** The stored prompt (the client's messages, parsed JSON) and answer; null when not stored. */
  content: { prompt: unknown; answer: string } | null;
  /** The status of the background response it made, if any (the console's cancel shows while it runs). */
  background: string | null;
  /** The legs of a tool-call loop this request belongs to: the one before it and the ones after it. */
  loop: { previous: string | null; next: string[]; toolWaitMs: number | null };
  /** What the run did: its model and tool calls in order (a running request's so far). */
  steps: Step[];
}

/** Every column of one request, with its stored content; null when there is no such request. */
export async function requestDetail(id: string): Promise<RequestDetail | null> {
  const prisma = await db();
  const row = await prisma.request.findUnique({
    where: { id },
    select: {
      ...listSelect,
      errorCode: true,
      errorMessage: true,
      finishReason: true,
      cachedTokens: true,
      userAgent: true,
      clientAddress: true,
      parentRequestId: true,
      toolWaitMs: true,
      content: { select: { prompt: true, answer: true } },
    },
  });
  if (!row) return null;
  const next = await prisma.request.findMany({
    where: { parentRequestId: id },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: 20,
  });
  const { content, parentRequestId, toolWaitMs, ...rest } = row;
  const steps = (await stepsOf([id])).get(id) ?? [];
  // Where the request's content is kept, its tool calls in full from the session's stored transcript.
  if (content && rest.sessionId) {
    const s = await prisma.session.findUnique({ where: { id: rest.sessionId }, select: { upstreamSessionId: true } });
    const ids = steps.flatMap((x) => (x.callId ? [x.callId] : []));
    const full = s?.upstreamSessionId ? await toolCallsOf(s.upstreamSessionId, ids) : new Map();
    for (const step of steps) {
      const f = step.callId ? full.get(step.callId) : undefined;
      if (f) step.full = f;
    }
  }
  return {
    ...(rest as RequestRow),
    background: (await backgroundStatuses([id])).get(id) ?? null,
    content: content ? { prompt: parseJson(content.prompt), answer: content.answer } : null,
    loop: { previous: parentRequestId, next: next.map((n) => n.id), toolWaitMs },
    steps,
  };
}
