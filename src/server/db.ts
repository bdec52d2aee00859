import "server-only";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { guardedAdapter } from "./db-adapter";
import { env } from "./env";

const g = globalThis as unknown as { __ccBridgeDb?: Promise<PrismaClient> };

async function connect(): Promise<PrismaClient> {
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

/** One Prisma client per process (kept on globalThis so dev reloads reuse it). */
export function db(): Promise<PrismaClient> {
  if (!g.__ccBridgeDb) {
    g.__ccBridgeDb = connect().catch((e) => {
      g.__ccBridgeDb = undefined;
      throw e;
    });
  }
  return g.__ccBridgeDb;
}
