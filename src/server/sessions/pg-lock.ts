import "server-only";
import type { Client } from "pg";

// Cross-instance session lock on PostgreSQL: a session-level advisory lock, (namespace, hashtext(id)),
// held on one dedicated connection per instance (not Prisma's pool, where a lock would stay with
// whichever pooled connection took it, and not an interactive transaction, which Prisma ends after 5 s).
// Waiting polls pg_try_advisory_lock, so the one connection serves every session. When an instance
// dies, PostgreSQL ends its connection and frees its locks at once: no expiry to wait for. A hash
// collision only makes two sessions wait for each other. In-process ordering stays with lock.ts.

/** First key of the two-key advisory lock: "ccbs" (cc-bridge sessions), apart from any other user. */
const NAMESPACE = 0x63636273;
const POLL_MIN_MS = 20;
const POLL_MAX_MS = 200;

const g = globalThis as unknown as { __ccBridgeLockConn?: Promise<Client> };

async function connection(url: string): Promise<Client> {
  if (!g.__ccBridgeLockConn) {
    g.__ccBridgeLockConn = (async () => {
      const { default: pg } = await import("pg");
      const client = new pg.Client({ connectionString: url, application_name: "cc-bridge session locks" });
      // A lost connection has lost its locks too: drop it, so the next lock opens a new one.
      const drop = () => {
        g.__ccBridgeLockConn = undefined;
      };
      client.on("error", drop);
      client.on("end", drop);
      await client.connect();
      return client;
    })().catch((e) => {
      g.__ccBridgeLockConn = undefined;
      throw e;
    });
  }
  return g.__ccBridgeLockConn;
}

/**
 * Takes the session's advisory lock, polling until `deadline` (Unix ms): resolves with the unlock
 * function, or with null when the deadline passed first; rejects with the signal's reason on abort.
 */
export async function takeAdvisoryLock(
  url: string,
  id: string,
  deadline: number,
  signal: AbortSignal,
): Promise<(() => Promise<void>) | null> {
  let wait = POLL_MIN_MS;
  for (;;) {
    if (signal.aborted) throw signal.reason;
    const conn = await connection(url);
    const { rows } = await conn.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [
      NAMESPACE,
      id,
    ]);
    if (rows[0]?.ok) {
      return async () => {
        await conn.query("SELECT pg_advisory_unlock($1, hashtext($2))", [NAMESPACE, id]);
      };
    }
    if (Date.now() >= deadline) return null;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, Math.min(wait, Math.max(0, deadline - Date.now())));
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
    wait = Math.min(POLL_MAX_MS, wait * 2);
  }
}
