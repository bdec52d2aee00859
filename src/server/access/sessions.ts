import "server-only";
import { db } from "../db";

/** The key that started a session: a key id, null (unkeyed), or undefined when the session is new. */
export async function sessionOwner(sessionId: string): Promise<string | null | undefined> {
  const prisma = await db();
  const s = await prisma.session.findUnique({ where: { id: sessionId }, select: { keyId: true } });
  return s ? s.keyId : undefined;
}
