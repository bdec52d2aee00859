import "server-only";
import { db } from "../db";
import type { KeyRecord } from "./store";

/**
 * A key's spend, read from its ledger (KeySpend) and never from the request log: retention deletes old
 * records, the ledger keeps what they spent. SQL triggers on Request add each record with its final
 * write, in that write's transaction (migrations 20261203000100_key_spend, SQLite and PostgreSQL), into
 * the hour of the key's life the request started in. Budget periods run from the key's creation in
 * steps of whole hours (limits.ts DURATIONS), so "since the period's start" is a sum of whole ledger
 * hours: exact. Plain SQL, the same on both databases (sums read as numbers: bigint on PostgreSQL).
 */

/** A ledger row's span. */
export const SPEND_HOUR_MS = 3_600_000;

export interface Spend {
  requests: number;
  tokens: number;
  costUsd: number;
}

type KeyRef = Pick<KeyRecord, "id" | "createdAt">;

/** The ledger hour a time falls in: whole hours since the key's creation (0 before it). */
export function spendHour(key: Pick<KeyRecord, "createdAt">, at: Date): number {
  return Math.max(0, Math.floor((at.getTime() - key.createdAt.getTime()) / SPEND_HOUR_MS));
}

const n = (v: unknown) => (v == null ? 0 : Number(v));

/** What a key spent since `since` (a budget period's start, a whole hour of the key's life). */
export async function spendSince(key: KeyRef, since: Date): Promise<Spend> {
  const prisma = await db();
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT SUM("requests") AS "requests", SUM("tokens") AS "tokens", SUM("costUsd") AS "costUsd"
    FROM "KeySpend" WHERE "keyId" = ${key.id} AND "hour" >= ${spendHour(key, since)}`;
  const r = rows[0] ?? {};
  return { requests: n(r.requests), tokens: n(r.tokens), costUsd: n(r.costUsd) };
}

/** What a key spent since `since` and over its whole life, in one read of its ledger rows. */
export async function spendWithLifetime(key: KeyRef, since: Date): Promise<{ period: Spend; lifetime: Spend }> {
  const prisma = await db();
  const from = spendHour(key, since);
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT
      SUM(CASE WHEN "hour" >= ${from} THEN "requests" ELSE 0 END) AS "requests",
      SUM(CASE WHEN "hour" >= ${from} THEN "tokens" ELSE 0 END) AS "tokens",
      SUM(CASE WHEN "hour" >= ${from} THEN "costUsd" ELSE 0 END) AS "costUsd",
      SUM("requests") AS "allRequests", SUM("tokens") AS "allTokens", SUM("costUsd") AS "allCostUsd"
    FROM "KeySpend" WHERE "keyId" = ${key.id}`;
  const r = rows[0] ?? {};
  return {
    period: { requests: n(r.requests), tokens: n(r.tokens), costUsd: n(r.costUsd) },
    lifetime: { requests: n(r.allRequests), tokens: n(r.allTokens), costUsd: n(r.allCostUsd) },
  };
}
