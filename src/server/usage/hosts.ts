import "server-only";
import { db } from "../db";
import type { TimeRange } from "./periods";

export interface HostCounts {
  requests: number;
  errors: number;
}

/**
 * Requests and errors per upstream host (Request.upstreamHost) in a range: two grouped counts, the
 * first over the (upstreamHost, createdAt, id) index, the second over the errors only.
 */
export async function requestsByHost(range: TimeRange): Promise<Map<string, HostCounts>> {
  const prisma = await db();
  const createdAt = { gte: range.since ?? undefined, lt: range.until ?? undefined };
  const [all, errors] = await Promise.all([
    prisma.request.groupBy({ by: ["upstreamHost"], where: { upstreamHost: { not: null }, createdAt }, _count: true }),
    prisma.request.groupBy({
      by: ["upstreamHost"],
      where: { status: "error", upstreamHost: { not: null }, createdAt },
      _count: true,
    }),
  ]);
  const out = new Map<string, HostCounts>();
  for (const r of all) if (r.upstreamHost) out.set(r.upstreamHost, { requests: r._count, errors: 0 });
  for (const r of errors) {
    const c = r.upstreamHost ? out.get(r.upstreamHost) : undefined;
    if (c) c.errors = r._count;
  }
  return out;
}
