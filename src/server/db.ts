import "server-only";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { guardedAdapter } from "./db-adapter";
import { env } from "./env";

const g = globalThis as unknown as { __ccBridgeDb?: Promise<PrismaClient> };

/** Which database this process uses: PostgreSQL when DATABASE_URL is set, else SQLite at USAGE_DB_PATH. */
export type Dialect = "sqlite" | "postgres";
export const dialect = (): Dialect => (env().DATABASE_URL ? "postgres" : "sqlite");

async function connectSqlite(): Promise<PrismaClient> {
  const file = path.resolve(env().USAGE_DB_PATH);
  const adapter = guardedAdapter(
    new PrismaBetterSQLite3({ url: `file:${file}`, timeout: 5_000 }, { timestampFormat: "unixepoch-ms" }),
  );
  const client = new PrismaClient({ adapter });
  await client.$queryRawUnsafe("PRAGMA journal_mode=WAL");
  await client.$executeRawUnsafe("PRAGMA synchronous=NORMAL");
  await client.$queryRawUnsafe("PRAGMA busy_timeout=5000");
  return client;
}

/**
 * The PostgreSQL client: generated from prisma/postgres/schema.prisma (the same models, so the same
 * API; scripts/pg-schema.mjs derives it and a test checks they do not drift), typed as the SQLite one.
 * Loaded only when DATABASE_URL is set, so a SQLite gateway never loads pg.
 */
async function connectPostgres(url: string): Promise<PrismaClient> {
  const [{ PrismaPg }, pg] = await Promise.all([import("@prisma/adapter-pg"), import("@/generated/prisma-pg/client")]);
  const adapter = new PrismaPg({ connectionString: url, max: env().DATABASE_POOL_SIZE });
  const client = new pg.PrismaClient({ adapter });
  await client.$executeRawUnsafe("SELECT 1");
  return client as unknown as PrismaClient;
}

/** One Prisma client per process (kept on globalThis so dev reloads reuse it). */
export function db(): Promise<PrismaClient> {
  if (!g.__ccBridgeDb) {
    const url = env().DATABASE_URL;
    g.__ccBridgeDb = (url ? connectPostgres(url) : connectSqlite()).catch((e) => {
      g.__ccBridgeDb = undefined;
      throw e;
    });
  }
  return g.__ccBridgeDb;
}
