import "server-only";
import { db } from "../db";
import type { TimeRange, UsageRow } from "../usage/summary";

/**
 * GET /v1/usage rows for one key: the same figures as usageByModel, from the key's own Request
 * records (the hourly rollup has no key column; the (keyId, createdAt, id) index serves this).
 */
export async function usageByModelForKey(keyId: string, range: TimeRange): Promise<UsageRow[]> {
  const prisma = await db();
  const createdAt = {
    ...(range.since ? { gte: range.since } : {}),
    ...(range.until ? { lt: range.until } : {}),
  };
  const where = { keyId, createdAt };
  const [all, errors, cancelled] = await Promise.all([
    prisma.request.groupBy({
      by: ["model", "provider"],
      where,
      _count: { _all: true },
      _sum: {
        promptTokens: true,
        completionTokens: true,
        totalTokens: true,
        cachedTokens: true,
        costUsd: true,
        durationMs: true,
      },
    }),
    prisma.request.groupBy({ by: ["model", "provider"], where: { ...where, status: "error" }, _count: { _all: true } }),
    prisma.request.groupBy({
      by: ["model", "provider"],
      where: { ...where, status: "cancelled" },
      _count: { _all: true },
    }),
  ]);
  const count = (rows: typeof errors, m: string, p: string) =>
    rows.find((r) => r.model === m && r.provider === p)?._count._all ?? 0;
  return all.map((r) => ({
    model: r.model,
    provider: r.provider,
    requests: r._count._all,
    errors: count(errors, r.model, r.provider),
    cancelled: count(cancelled, r.model, r.provider),
    prompt_tokens: r._sum.promptTokens ?? 0,
    completion_tokens: r._sum.completionTokens ?? 0,
    total_tokens: r._sum.totalTokens ?? 0,
    cached_tokens: r._sum.cachedTokens ?? 0,
    cost_usd: r._sum.costUsd ?? null,
    avg_duration_ms: Math.round((r._sum.durationMs ?? 0) / Math.max(1, r._count._all)),
  }));
}
