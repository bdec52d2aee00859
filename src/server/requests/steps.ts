import "server-only";
// The stored steps of requests (RequestStep, written with their records: usage/writer.ts), read for the
// console: a request's timeline, a session's turns, the tools used over a time range.
import { db } from "../db";
import { liveSteps } from "../steps/log";
import type { Step } from "../steps/types";
import type { TimeRange } from "../usage/periods";

const stepSelect = {
  requestId: true,
  seq: true,
  parentSeq: true,
  kind: true,
  tool: true,
  callId: true,
  summary: true,
  outcome: true,
  resultBytes: true,
  startedAt: true,
  durationMs: true,
  model: true,
  inputTokens: true,
  outputTokens: true,
  path: true,
} as const;

/** The steps of these requests, in order, by request id (a request still running: its live steps). */
export async function stepsOf(requestIds: string[]): Promise<Map<string, Step[]>> {
  const out = new Map<string, Step[]>();
  if (requestIds.length === 0) return out;
  const prisma = await db();
  const rows = await prisma.requestStep.findMany({
    where: { requestId: { in: requestIds } },
    orderBy: [{ requestId: "asc" }, { seq: "asc" }],
    select: stepSelect,
  });
  for (const { requestId, startedAt, kind, outcome, ...r } of rows) {
    const list = out.get(requestId) ?? [];
    list.push({
      ...r,
      kind: kind === "model" ? "model" : "tool",
      outcome: outcome === "ok" || outcome === "error" ? outcome : null,
      startedAt: startedAt.getTime(),
    });
    out.set(requestId, list);
  }
  for (const id of requestIds) {
    const live = out.has(id) ? null : liveSteps(id);
    if (live?.length) out.set(id, live);
  }
  return out;
}

export interface ToolStat {
  tool: string;
  calls: number;
  errors: number;
  /** Average duration (ms) of the calls whose result came. */
  avgMs: number | null;
}

/** Tool calls by tool over a time range (of the requests' start), most called first. */
export async function toolStats(range: TimeRange): Promise<ToolStat[]> {
  const prisma = await db();
  const groups = await prisma.requestStep.groupBy({
    by: ["tool", "outcome"],
    where: { kind: "tool", request: { createdAt: { gte: range.since ?? undefined, lt: range.until ?? undefined } } },
    _count: { _all: true },
    _avg: { durationMs: true },
  });
  const by = new Map<string, ToolStat & { ms: number; timed: number }>();
  for (const g of groups) {
    const tool = g.tool ?? "tool";
    const s = by.get(tool) ?? { tool, calls: 0, errors: 0, avgMs: null, ms: 0, timed: 0 };
    s.calls += g._count._all;
    if (g.outcome === "error") s.errors += g._count._all;
    if (g.outcome !== null && g._avg.durationMs !== null) {
      s.ms += g._avg.durationMs * g._count._all;
      s.timed += g._count._all;
    }
    by.set(tool, s);
  }
  return [...by.values()]
    .map(({ ms, timed, ...s }) => ({ ...s, avgMs: timed ? Math.round(ms / timed) : null }))
    .sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool));
}
