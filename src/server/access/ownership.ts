import "server-only";
import { db } from "../db";
import { log } from "../log";
import { ApiError } from "../openai/errors";
import { keyIdOf, type Principal } from "./policy";

// What a key can name and who else may: a session (X-Session-ID, a Responses chain) and a stored
// response belong to the key that made them. The admin key and the console see all. Another key gets
// 403 `session_forbidden` for a session (the id is the client's own choice, so its existence is no
// secret) and 404 for a stored response (a random id: its existence is not disclosed).

/** Whether a principal sees every key's sessions and stored responses. */
export const seesAll = (p: Principal) => p.kind === "admin" || p.kind === "console";

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

/**
 * The owner of a session id, claimed for `keyId` when nobody has claimed it yet: the first request
 * that names an id owns it, before its first turn runs (the primary key decides a race, on SQLite and
 * PostgreSQL alike). A session from before claims keeps the key that started it. Returns the owner's
 * key id (null: unkeyed).
 */
export async function claimSession(sessionId: string, keyId: string | null): Promise<string | null> {
  const prisma = await db();
  const where = { sessionId };
  const claimed = await prisma.sessionOwner.findUnique({ where, select: { keyId: true } });
  if (claimed) return claimed.keyId;
  const started = await prisma.session.findUnique({ where: { id: sessionId }, select: { keyId: true } });
  const owner = started ? started.keyId : keyId;
  try {
    await prisma.sessionOwner.create({
      data: { sessionId, keyId: owner, claimedAt: new Date() },
      select: { sessionId: true },
    });
    return owner;
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  const winner = await prisma.sessionOwner.findUnique({ where, select: { keyId: true } });
  return winner ? winner.keyId : owner;
}

/** Claims a session for the principal; 403 `session_forbidden` when another key owns it. */
export async function claimSessionFor(p: Principal, sessionId: string, param = "X-Session-ID"): Promise<void> {
  const owner = await claimSession(sessionId, keyIdOf(p)).catch((e: unknown) => {
    log(
      { level: "error", msg: "session claim failed", session: sessionId, error: String((e as Error)?.message ?? e) },
      "stderr",
    );
    // The database cannot take the claim (read-only, full, gone): no turn runs on an unclaimed session.
    throw new ApiError(503, `Session "${sessionId}" cannot be claimed: the database is not writable right now.`, {
      code: "database_unavailable",
      headers: { "retry-after": "5" },
    });
  });
  if (seesAll(p) || owner === keyIdOf(p)) return;
  throw new ApiError(403, `Session "${sessionId}" belongs to another API key.`, {
    code: "session_forbidden",
    param,
    type: "permission_error",
  });
}

/** Whether the principal may see something owned by `keyId` (a stored response). */
export const owns = (p: Principal, keyId: string | null) => seesAll(p) || keyId === keyIdOf(p);
