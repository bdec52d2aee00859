/** A private PostgreSQL cluster for a test file (tests/helpers/pg-cluster.mjs), with a few conveniences. */
import pg from "pg";
import { startCluster } from "./pg-cluster.mjs";

export interface PgCluster {
  /** postgresql://… of a database on the cluster (created by createDatabase). */
  url(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** Runs SQL on a database and returns the rows. */
  query<T = Record<string, unknown>>(database: string, sql: string, params?: unknown[]): Promise<T[]>;
  stop(): void;
}

export async function startPostgres(): Promise<PgCluster> {
  const cluster = await startCluster();
  const query = async <T>(database: string, sql: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: cluster.url(database) });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };
  return {
    url: cluster.url,
    query,
    async createDatabase(name) {
      await query("postgres", `CREATE DATABASE "${name}"`);
      return cluster.url(name);
    },
    stop: () => cluster.stop(),
  };
}

/**
 * Copies every Request row of a SQLite test database into a PostgreSQL one (DateTime: Unix ms →
 * timestamp(3) UTC; booleans: 0/1 → false/true), so the same data can be read on both.
 */
export async function copyRequestsToPg(sqliteFile: string, pgUrl: string): Promise<number> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(sqliteFile, { readonly: true });
  const rows = (db.prepare("SELECT * FROM Request").all() as Record<string, unknown>[]).map((r) => ({
    ...r,
    createdAt: new Date(Number(r.createdAt)).toISOString().replace("Z", ""),
    stream: Boolean(r.stream),
  }));
  db.close();
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    for (let i = 0; i < rows.length; i += 5_000) {
      await c.query(`INSERT INTO "Request" SELECT * FROM json_populate_recordset(NULL::"Request", $1)`, [
        JSON.stringify(rows.slice(i, i + 5_000)),
      ]);
    }
  } finally {
    await c.end();
  }
  return rows.length;
}

/** Applies prisma/postgres/migrations to an empty database the way `npm start` does (scripts/lib.mjs). */
export async function migratePg(url: string): Promise<void> {
  const { migratePostgres } = await import("../../scripts/lib.mjs");
  migratePostgres(url);
}
