import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { pgMigrateAdapter } from "./adapter";

// The Prisma CLI (migrate deploy, generate) on PostgreSQL: `prisma … --config prisma/postgres/prisma.config.ts`
// with DATABASE_URL set (scripts/lib.mjs migrate does that when the server runs on PostgreSQL).
export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  engine: "js",
  experimental: { adapter: true },
  adapter: async () =>
    pgMigrateAdapter(
      new PrismaPg({ connectionString: process.env.DATABASE_URL || "postgresql://localhost/cc_bridge" }),
    ),
});
