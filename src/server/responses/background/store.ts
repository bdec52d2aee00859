import "server-only";
import { db } from "../../db";

/**
 * A background response's rows (issue 26): its StoredResponse row (status, snapshot, lease, cancel flag)
 * and its ResponseEvent log. Only the running instance writes events and snapshots, each write
 * conditional on its still holding the run (`runner` = it, not finished): a run swept as interrupted
 * (its lease expired) cannot be written over by an instance that was only slow.
 */

/** Statuses of a run that has not ended. */
export const RUNNING = ["queued", "in_progress"] as const;

export interface LoggedEvent {
  seq: number;
  type: string;
  json: string;
}

export interface BackgroundRow {
  id: string;
  keyId: string | null;
  requestId: string;
  model: string;
  body: string;
}

/** The row of a new run, `queued`, held by `runner` until `leaseUntil`. */
export async function insertRun(r: BackgroundRow, runner: string, leaseUntil: Date): Promise<void> {
  const prisma = await db();
  await prisma.storedResponse.create({
    data: { ...r, turn: 0, createdAt: new Date(), status: "queued", background: true, runner, leaseUntil },
    select: { id: true },
  });
}

/** Runs not yet ended: on all instances, and those of one key (null: the admin, the console, an open gateway). */
export async function runsInFlight(keyId: string | null): Promise<{ all: number; key: number }> {
  const prisma = await db();
  const where = { background: true, finishedAt: null };
  const [all, key] = await Promise.all([
    prisma.storedResponse.count({ where }),
    prisma.storedResponse.count({ where: { ...where, keyId } }),
  ]);
  return { all, key };
}

/**
 * Appends events and the snapshot in one transaction, if `runner` still holds the run; `final` also marks
 * its log complete. False when it does not hold it any more (nothing is written then).
 */
export async function writeRun(
  id: string,
  runner: string,
  w: { events: LoggedEvent[]; body: string | null; status: string; leaseUntil: Date; final: boolean },
): Promise<boolean> {
  const prisma = await db();
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.storedResponse.updateMany({
      where: { id, runner, finishedAt: null },
      data: {
        ...(w.body === null ? {} : { body: w.body }),
        status: w.status,
        leaseUntil: w.leaseUntil,
        ...(w.final ? { finishedAt: new Date(), leaseUntil: null } : {}),
      },
    });
    if (count === 0) return false;
    if (w.events.length) await tx.responseEvent.createMany({ data: w.events.map((e) => ({ responseId: id, ...e })) });
    return true;
  });
}

/** The session a background run's turn was stored on, once it succeeded. */
export async function setRunSession(id: string, sessionId: string | null, turn: number): Promise<void> {
  const prisma = await db();
  await prisma.storedResponse.updateMany({ where: { id }, data: { sessionId, turn } });
}

/** Renews the lease of this instance's runs; returns those whose cancel was asked (on any instance). */
export async function renewAndCheck(ids: string[], runner: string, leaseUntil: Date | null): Promise<string[]> {
  if (!ids.length) return [];
  const prisma = await db();
  if (leaseUntil) {
    await prisma.storedResponse.updateMany({
      where: { id: { in: ids }, runner, finishedAt: null },
      data: { leaseUntil },
    });
  }
  const rows = await prisma.storedResponse.findMany({
    where: { id: { in: ids }, OR: [{ cancelRequested: true }, { NOT: { runner } }, { finishedAt: { not: null } }] },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

export interface RunState {
  status: string;
  body: string;
  runner: string | null;
  finished: boolean;
  leaseUntil: Date | null;
}

export async function runState(id: string): Promise<RunState | null> {
  const prisma = await db();
  const row = await prisma.storedResponse.findUnique({
    where: { id },
    select: { status: true, body: true, runner: true, finishedAt: true, leaseUntil: true },
  });
  return row && { ...row, finished: row.finishedAt !== null };
}

/** Events after `after`, in order (at most `take`). */
export async function eventsAfter(id: string, after: number, take = 500): Promise<LoggedEvent[]> {
  const prisma = await db();
  return prisma.responseEvent.findMany({
    where: { responseId: id, seq: { gt: after } },
    orderBy: { seq: "asc" },
    take,
    select: { seq: true, type: true, json: true },
  });
}

/** Asks a run to stop (the running instance sees it at its next check). False when it had ended already. */
export async function requestCancel(id: string): Promise<boolean> {
  const prisma = await db();
  const { count } = await prisma.storedResponse.updateMany({
    where: { id, background: true, finishedAt: null },
    data: { cancelRequested: true },
  });
  return count > 0;
}

/** Which runs nobody runs any more: not ended, and their lease expired before `leaseBefore` or not `notRunner`'s. */
export interface Orphaned {
  leaseBefore?: Date;
  notRunner?: string;
}

const orphanWhere = (where: Orphaned) => ({
  background: true,
  finishedAt: null,
  ...(where.leaseBefore ? { leaseUntil: { lt: where.leaseBefore } } : {}),
  ...(where.notRunner ? { NOT: { runner: where.notRunner } } : {}),
});

/**
 * Ends a run nobody runs any more (its instance died: lease expired, or every run of another process on
 * SQLite after a restart) with `status` and its last snapshot changed by `edit`. False when it ended
 * meanwhile or is still held.
 */
export async function endOrphan(
  id: string,
  where: Orphaned,
  status: string,
  edit: (body: string) => string,
): Promise<boolean> {
  const prisma = await db();
  return prisma.$transaction(async (tx) => {
    const row = await tx.storedResponse.findFirst({ where: { id, ...orphanWhere(where) }, select: { body: true } });
    if (!row) return false;
    await tx.storedResponse.update({
      where: { id },
      data: { status, body: edit(row.body), finishedAt: new Date(), leaseUntil: null },
      select: { id: true },
    });
    return true;
  });
}

/** Runs that have not ended, whose lease expired before `before` (or, with `notRunner`, every one not of it). */
export async function orphans(where: Orphaned): Promise<string[]> {
  const prisma = await db();
  const rows = await prisma.storedResponse.findMany({
    where: orphanWhere(where),
    select: { id: true },
    take: 100,
  });
  return rows.map((r) => r.id);
}
