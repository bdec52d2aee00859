import "server-only";
import { db } from "../db";
import { ApiError } from "../openai/errors";
import { SPEND_HOUR_MS, spendSince } from "./spend";
import { type KeyRecord, toDate } from "./store";

/**
 * A key's limits, checked from the database before any upstream work, so they hold across
 * instances that share it:
 * - budgets (`max_budget_usd`, `max_budget_tokens`) sum the key's spend ledger (spend.ts: every final
 *   record counted once, streams and failed runs that reported usage included) since the budget
 *   period's start; retention deleting old records gives no budget back;
 * - `tpm_limit` sums the key's Request records of the last minute;
 * - `rpm_limit` is a GCRA limiter kept in one column (`ApiKey.rateTat`) and moved by one conditional
 *   UPDATE, so a burst of concurrent requests gets exactly `rpm_limit` through.
 * Tokens and cost are known only when a run ends: requests already in flight when a limit is
 * reached still finish, so budgets and tpm can be overshot by at most what those requests use.
 */

/** Budget periods: each a whole number of hours (SPEND_HOUR_MS), so each starts on an hour of the key's ledger. */
export const DURATIONS: Record<string, number> = {
  "1h": SPEND_HOUR_MS,
  "1d": 24 * SPEND_HOUR_MS,
  "7d": 7 * 24 * SPEND_HOUR_MS,
  "30d": 30 * 24 * SPEND_HOUR_MS,
};

const MINUTE = 60_000;

/** The budget period a time falls in: periods of `budget_duration` from the key's creation; none: its life. */
export function budgetPeriod(key: KeyRecord, now = Date.now()): { start: Date; end: Date | null } {
  const len = key.budgetDuration ? DURATIONS[key.budgetDuration] : undefined;
  const created = key.createdAt.getTime();
  if (!len) return { start: key.createdAt, end: null };
  const start = created + Math.floor(Math.max(0, now - created) / len) * len;
  return { start: new Date(start), end: new Date(start + len) };
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function limitError(status: 429, message: string, code: string, retryMs: number | null, headers: Headers) {
  const h: Record<string, string> = Object.fromEntries(headers);
  if (retryMs !== null) h["retry-after"] = String(seconds(retryMs));
  return new ApiError(status, message, {
    code,
    type: code === "insufficient_quota" ? "insufficient_quota" : "rate_limit_error",
    headers: h,
  });
}

/** The key's tokens in the last minute and its oldest record in it (for the reset time), over the (keyId, createdAt, id) index. */
async function lastMinute(key: KeyRecord, minuteAgo: Date): Promise<{ tokens: number; oldest: Date | null }> {
  const prisma = await db();
  const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT SUM("totalTokens") AS "tokens", MIN("createdAt") AS "oldest"
    FROM "Request" WHERE "keyId" = ${key.id} AND "createdAt" >= ${minuteAgo}`;
  const r = rows[0] ?? {};
  return { tokens: r.tokens == null ? 0 : Number(r.tokens), oldest: toDate(r.oldest) };
}

/** Checks the budget, then tpm, then takes an rpm slot. Answers the x-ratelimit-* headers, or throws a 429. */
export async function admit(key: KeyRecord, now = Date.now()): Promise<Headers> {
  const headers = new Headers();
  const hasBudget = key.maxBudgetUsd !== null || key.maxBudgetTokens !== null;
  const period = budgetPeriod(key, now);
  const [budget, minute] = await Promise.all([
    hasBudget ? spendSince(key, period.start) : null,
    key.tpmLimit !== null ? lastMinute(key, new Date(now - MINUTE)) : null,
  ]);
  if (budget) {
    const overTokens = key.maxBudgetTokens !== null && budget.tokens >= key.maxBudgetTokens;
    const overUsd = key.maxBudgetUsd !== null && budget.costUsd >= key.maxBudgetUsd;
    if (overTokens || overUsd) {
      const what = overTokens
        ? `${budget.tokens} of ${key.maxBudgetTokens} tokens`
        : `$${budget.costUsd.toFixed(4)} of $${key.maxBudgetUsd}`;
      const until = period.end ? ` until ${period.end.toISOString()}` : "";
      throw limitError(
        429,
        `You exceeded your current quota: this key has used ${what} of its budget${until}.`,
        "insufficient_quota",
        period.end ? period.end.getTime() - now : null,
        headers,
      );
    }
  }
  if (minute && key.tpmLimit !== null) {
    const remaining = Math.max(0, key.tpmLimit - minute.tokens);
    const resetMs = minute.oldest ? minute.oldest.getTime() + MINUTE - now : 0;
    headers.set("x-ratelimit-limit-tokens", String(key.tpmLimit));
    headers.set("x-ratelimit-remaining-tokens", String(remaining));
    headers.set("x-ratelimit-reset-tokens", `${seconds(resetMs)}s`);
    if (remaining === 0) {
      throw limitError(
        429,
        `Rate limit reached: ${minute.tokens} tokens in the last minute; this key's limit is ${key.tpmLimit} tokens per minute.`,
        "rate_limit_exceeded",
        resetMs,
        headers,
      );
    }
  }
  if (key.rpmLimit !== null) await takeRequestSlot(key, key.rpmLimit, now, headers);
  return headers;
}

/**
 * GCRA: each request moves the key's "theoretical arrival time" (TAT) by 60 s / rpm; a request is
 * let in while the TAT stays within a minute of now. So a key gets a burst of rpm requests at once,
 * then one every 60/rpm seconds. One UPDATE … WHERE … RETURNING decides, atomically, in SQLite and
 * PostgreSQL alike (no read-then-write race between concurrent requests or instances).
 */
async function takeRequestSlot(key: KeyRecord, rpm: number, now: number, headers: Headers): Promise<void> {
  const prisma = await db();
  const step = MINUTE / rpm;
  const horizon = now + MINUTE + 0.001;
  const rows = await prisma.$queryRaw<{ rateTat: number }[]>`
    UPDATE "ApiKey" SET "rateTat" = (CASE WHEN "rateTat" > ${now} THEN "rateTat" ELSE ${now} END) + ${step}
    WHERE "id" = ${key.id} AND (CASE WHEN "rateTat" > ${now} THEN "rateTat" ELSE ${now} END) + ${step} <= ${horizon}
    RETURNING "rateTat"`;
  headers.set("x-ratelimit-limit-requests", String(rpm));
  const taken = rows[0];
  if (taken) {
    const tat = Number(taken.rateTat);
    headers.set("x-ratelimit-remaining-requests", String(Math.max(0, Math.floor((now + MINUTE - tat) / step + 1e-9))));
    headers.set("x-ratelimit-reset-requests", `${seconds(tat - now)}s`);
    return;
  }
  const state = await prisma.apiKey.findUnique({ where: { id: key.id }, select: { rateTat: true } });
  const tat = state?.rateTat ?? now;
  const wait = tat + step - (now + MINUTE);
  headers.set("x-ratelimit-remaining-requests", "0");
  headers.set("x-ratelimit-reset-requests", `${seconds(wait)}s`);
  throw limitError(
    429,
    `Rate limit reached: this key's limit is ${rpm} requests per minute. Try again in ${seconds(wait)} s.`,
    "rate_limit_exceeded",
    wait,
    headers,
  );
}
