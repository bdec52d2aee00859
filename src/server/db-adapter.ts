import "server-only";
import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type Factory = InstanceType<typeof PrismaBetterSQLite3>;
type Adapter = Awaited<ReturnType<Factory["connect"]>>;
type Tx = Awaited<ReturnType<Adapter["startTransaction"]>>;

const ENDS_TX = /^\s*(COMMIT|ROLLBACK)\b/i;

/**
 * Prisma sends COMMIT as a query and only then releases the adapter's transaction lock; when that
 * COMMIT fails (disk full, read-only or immutable file) the lock is never released and SQLite's
 * transaction stays open, so every later transaction waits forever. This guard rolls the
 * transaction back and releases the lock (once) when a COMMIT or ROLLBACK fails.
 */
function guard(tx: Tx): Tx {
  let released = false;
  const release = tx.rollback.bind(tx);
  const once = (fn: () => Promise<void>) => async () => {
    if (released) return;
    released = true;
    await fn();
  };
  tx.commit = once(tx.commit.bind(tx));
  tx.rollback = once(release);
  const executeRaw = tx.executeRaw.bind(tx);
  tx.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (e) {
      if (ENDS_TX.test(query.sql)) {
        const client = (tx as unknown as { client?: { inTransaction?: boolean; exec(sql: string): void } }).client;
        try {
          if (client?.inTransaction) client.exec("ROLLBACK");
        } catch {}
        await tx.rollback();
      }
      throw e;
    }
  };
  return tx;
}

/** PrismaBetterSQLite3 whose transactions cannot wedge the connection (see guard). */
export function guardedAdapter(factory: Factory): Factory {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolation) => guard(await start(isolation));
    return adapter;
  };
  return factory;
}
