import "server-only";
import { db } from "./db";
import { env } from "./env";
import { log } from "./log";
import { atMs } from "./sql";

// Retention (issue 12): a shared database grows without end. RETENTION_DAYS deletes request records
// (with their contents and steps), stored responses and sessions idle for longer; STORE_CONTENT_DAYS drops the
// prompts and answers of older requests sooner. Small batches, each its own short transaction, so
// writers (SQLite's one writer, other instances) are never held for long. The rollups keep the totals:
// a batch sets Maintenance(retention).pruning inside its transaction, and the rollup delete trigger of
// both databases then leaves UsageHourly and LatencyHistogram alone. Every instance runs it; on
// PostgreSQL the flag row's lock makes concurrent batches take turns.

const DAY = 86_400_000;
/** Rows per batch: small transactions, and under SQLite's 999 bound parameters per statement. */
export const BATCH = 500;
const JOB = "retention";

export interface PruneResult {
  requests: number;
  contents: number;
  /** Requests whose steps' input summaries and paths were blanked (STORE_CONTENT_DAYS). */
  steps: number;
  responses: number;
  sessions: number;
  /** Claude Code transcript entries deleted (with their sessions, or idle as long). */
  transcripts: number;
}

const pause = () => new Promise((r) => setTimeout(r, 5));

/** Deletes in batches of BATCH until `ids` finds nothing more; returns how many went. */
async function inBatches(ids: () => Promise<string[]>, remove: (ids: string[]) => Promise<unknown>): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = await ids();
    if (batch.length === 0) return total;
    await remove(batch);
    total += batch.length;
    if (batch.length < BATCH) return total;
    await pause();
  }
}

/** One retention pass (now: Unix ms). Days of 0 turn that part off. */
export async function pruneOnce(
  now = Date.now(),
  days = { retention: env().RETENTION_DAYS, content: env().STORE_CONTENT_DAYS },
): Promise<PruneResult> {
  const prisma = await db();
  const result: PruneResult = { requests: 0, contents: 0, steps: 0, responses: 0, sessions: 0, transcripts: 0 };
  if (days.content > 0) {
    const cutoff = new Date(now - days.content * DAY);
    result.contents = await inBatches(
      async () =>
        (
          await prisma.requestContent.findMany({
            where: { request: { createdAt: { lt: cutoff } } },
            select: { requestId: true },
            take: BATCH,
          })
        ).map((r) => r.requestId),
      (ids) => prisma.requestContent.deleteMany({ where: { requestId: { in: ids } } }),
    );
    // The steps stay (tools, outcomes, timings); their input summaries and paths go with the contents.
    const withText = { OR: [{ summary: { not: null } }, { path: { not: null } }] };
    result.steps = await inBatches(
      async () =>
        (
          await prisma.requestStep.findMany({
            where: { request: { createdAt: { lt: cutoff } }, ...withText },
            select: { requestId: true },
            distinct: ["requestId"],
            take: BATCH,
          })
        ).map((r) => r.requestId),
      (ids) =>
        prisma.requestStep.updateMany({
          where: { requestId: { in: ids }, ...withText },
          data: { summary: null, path: null },
        }),
    );
  }
  if (days.retention > 0) {
    const cutoff = new Date(now - days.retention * DAY);
    const flag = (pruning: boolean) =>
      prisma.maintenance.upsert({ where: { job: JOB }, create: { job: JOB, pruning }, update: { pruning } });
    result.requests = await inBatches(
      async () =>
        (
          await prisma.request.findMany({
            where: { createdAt: { lt: cutoff } },
            select: { id: true },
            orderBy: { createdAt: "asc" },
            take: BATCH,
          })
        ).map((r) => r.id),
      (ids) =>
        prisma.$transaction([
          flag(true),
          prisma.requestContent.deleteMany({ where: { requestId: { in: ids } } }),
          prisma.requestStep.deleteMany({ where: { requestId: { in: ids } } }),
          prisma.request.deleteMany({ where: { id: { in: ids } } }),
          flag(false),
        ]),
    );
    result.responses = await inBatches(
      async () =>
        (
          await prisma.storedResponse.findMany({
            where: { createdAt: { lt: cutoff } },
            select: { id: true },
            take: BATCH,
          })
        ).map((r) => r.id),
      (ids) =>
        prisma.$transaction([
          prisma.responseEvent.deleteMany({ where: { responseId: { in: ids } } }),
          prisma.storedResponse.deleteMany({ where: { id: { in: ids } } }),
        ]),
    );
    result.sessions = await inBatches(
      async () =>
        (
          await prisma.session.findMany({ where: { lastUsedAt: { lt: cutoff } }, select: { id: true }, take: BATCH })
        ).map((r) => r.id),
      (ids) =>
        prisma.$transaction([
          prisma.sessionMessage.deleteMany({ where: { sessionId: { in: ids } } }),
          prisma.session.deleteMany({ where: { id: { in: ids } } }),
          prisma.sessionOwner.deleteMany({ where: { sessionId: { in: ids } } }),
        ]),
    );
    // Claude Code's transcripts go once their newest entry is as old as a session retention deletes: a
    // session's with the session (each turn writes to it), and those no session names any more.
    for (;;) {
      const gone = await prisma.$executeRaw`DELETE FROM "TranscriptEntry" WHERE "sessionId" IN (
        SELECT t."sessionId" FROM "TranscriptEntry" t GROUP BY t."sessionId"
          HAVING MAX(t."createdAt") < ${atMs(cutoff.getTime())} LIMIT ${BATCH})`;
      result.transcripts += gone;
      if (gone === 0) break;
      await pause();
    }
    // Claims whose session never came to be (its first turn failed) go once they are as old.
    for (;;) {
      const gone = await prisma.$executeRaw`DELETE FROM "SessionOwner" WHERE "sessionId" IN (
        SELECT o."sessionId" FROM "SessionOwner" o WHERE o."claimedAt" < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM "Session" s WHERE s."id" = o."sessionId") LIMIT ${BATCH})`;
      if (gone < BATCH) break;
      await pause();
    }
  }
  const state = { lastRunAt: new Date(now), lastRequests: result.requests, lastContents: result.contents };
  await prisma.maintenance.upsert({ where: { job: JOB }, create: { job: JOB, ...state }, update: state });
  return result;
}

/**
 * Drops the stream events of background responses that ended more than `hours` ago (BACKGROUND_EVENTS_HOURS;
 * 0: kept until the response is deleted): their Response object stays, `starting_after` finds nothing more.
 * Returns how many events went.
 */
export async function pruneResponseEvents(now = Date.now(), hours = env().BACKGROUND_EVENTS_HOURS): Promise<number> {
  if (hours <= 0) return 0;
  const prisma = await db();
  const cutoff = atMs(now - hours * 3_600_000);
  let total = 0;
  for (;;) {
    const gone = await prisma.$executeRaw`DELETE FROM "ResponseEvent" WHERE "responseId" IN (
      SELECT r."id" FROM "StoredResponse" r WHERE r."finishedAt" < ${cutoff}
        AND EXISTS (SELECT 1 FROM "ResponseEvent" e WHERE e."responseId" = r."id") LIMIT 20)`;
    total += gone;
    if (gone === 0) return total;
    await pause();
  }
}

/** What /health shows: the settings and the last run (by any instance sharing the database). */
export async function retentionStatus() {
  const { RETENTION_DAYS, STORE_CONTENT_DAYS } = env();
  const prisma = await db();
  const last = await prisma.maintenance
    .findUnique({ where: { job: JOB }, select: { lastRunAt: true, lastRequests: true, lastContents: true } })
    .catch(() => null);
  return {
    retention_days: RETENTION_DAYS || null,
    store_content_days: STORE_CONTENT_DAYS || null,
    last_run_at: last?.lastRunAt?.toISOString() ?? null,
    last_deleted_requests: last?.lastRequests ?? 0,
    last_dropped_contents: last?.lastContents ?? 0,
  };
}

const g = globalThis as unknown as { __ccBridgeRetention?: NodeJS.Timeout };

/** Starts the periodic pass in this process (nothing when both settings are 0). */
export function startRetention(): void {
  const { RETENTION_DAYS, STORE_CONTENT_DAYS, RETENTION_INTERVAL_MS, BACKGROUND_EVENTS_HOURS } = env();
  if ((!RETENTION_DAYS && !STORE_CONTENT_DAYS && !BACKGROUND_EVENTS_HOURS) || g.__ccBridgeRetention) return;
  const run = () =>
    (RETENTION_DAYS || STORE_CONTENT_DAYS ? pruneOnce() : Promise.resolve())
      .then(() => pruneResponseEvents())
      .catch((e) =>
        log({ level: "error", msg: `retention failed: ${String(e?.message ?? e).split("\n")[0]}` }, "stderr"),
      );
  // A few seconds after start (not in the start-up path), then every RETENTION_INTERVAL_MS.
  setTimeout(run, 3_000).unref();
  g.__ccBridgeRetention = setInterval(run, RETENTION_INTERVAL_MS);
  g.__ccBridgeRetention.unref();
}
