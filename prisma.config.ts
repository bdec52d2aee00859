import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

// The Prisma CLI (migrate, generate) reads the same USAGE_DB_PATH the server uses.
const dbPath = path.resolve(process.env.USAGE_DB_PATH || "./usage.db");

export default defineConfig({
  schema: "prisma/schema.prisma",
  engine: "js",
  experimental: { adapter: true },
  adapter: async () => new PrismaBetterSQLite3({ url: `file:${dbPath}` }, { timestampFormat: "unixepoch-ms" }),
});
