import "server-only";
import { db } from "../db";
import type { TimeRange } from "../usage/summary";
import { listKeys } from "./store";

export interface KeySpend {
  key_id: string | null;
  name: string;
  requests: number;
  errors: number;
  total_tokens: number;
  cost_usd: number | null;
}

/** Spend and requests per key over a range (the console's overview); null: admin, console, open gateway. */
export async function usageByKey(range: TimeRange): Promise<KeySpend[]> {
  const prisma = await db();
  const createdAt = { ...(range.since ? { gte: range.since } : {}), ...(range.until ? { lt: range.until } : {}) };
  const [rows, errors, keys] = await Promise.all([
    prisma.request.groupBy({
      by: ["keyId"],
      where: { createdAt },
      _count: { _all: true },
      _sum: { totalTokens: true, costUsd: true },
    }),
    prisma.request.groupBy({ by: ["keyId"], where: { createdAt, status: "error" }, _count: { _all: true } }),
    listKeys(),
  ]);
  const names = new Map(keys.map((k) => [k.id, k.name]));
  return rows
    .map((r) => ({
      key_id: r.keyId,
      name: r.keyId === null ? "(no key)" : (names.get(r.keyId) ?? r.keyId),
      requests: r._count._all,
      errors: errors.find((e) => e.keyId === r.keyId)?._count._all ?? 0,
      total_tokens: r._sum.totalTokens ?? 0,
      cost_usd: r._sum.costUsd ?? null,
    }))
    .sort((a, b) => (b.cost_usd ?? 0) - (a.cost_usd ?? 0) || b.requests - a.requests);
}
