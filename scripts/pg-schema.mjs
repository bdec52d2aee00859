// prisma/schema.prisma (SQLite) is the one source of truth for the data model. This derives the
// PostgreSQL variant, prisma/postgres/schema.prisma: the same models with another datasource and
// generator output. `node scripts/pg-schema.mjs` writes it; `--check` exits 1 when the committed file
// differs from what the SQLite schema gives (src/server/db-schema-drift.test.ts runs the same check).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const sqliteSchemaPath = path.join(root, "prisma", "schema.prisma");
export const pgSchemaPath = path.join(root, "prisma", "postgres", "schema.prisma");

const HEADER =
  "// GENERATED from prisma/schema.prisma by scripts/pg-schema.mjs: edit that file, then run the script.\n";

/** The PostgreSQL schema text for a SQLite schema text (throws when the blocks to replace are missing). */
export function pgSchemaOf(sqlite) {
  const generator = /generator client \{[^}]*\}/;
  const datasource = /datasource db \{[^}]*\}/;
  if (!generator.test(sqlite) || !datasource.test(sqlite))
    throw new Error("schema.prisma: generator or datasource block not found");
  return (
    HEADER +
    sqlite
      .replace(
        generator,
        [
          "generator client {",
          '  provider   = "prisma-client"',
          '  output     = "../../src/generated/prisma-pg"',
          '  engineType = "client"',
          "}",
        ].join("\n"),
      )
      .replace(
        datasource,
        [
          "datasource db {",
          '  provider = "postgresql"',
          "  // Required by Prisma 6.19; at run time the pg adapter's DATABASE_URL wins.",
          '  url      = "postgresql://localhost/cc_bridge"',
          "}",
        ].join("\n"),
      )
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const want = pgSchemaOf(fs.readFileSync(sqliteSchemaPath, "utf8"));
  const have = fs.existsSync(pgSchemaPath) ? fs.readFileSync(pgSchemaPath, "utf8") : null;
  if (process.argv.includes("--check")) {
    if (have !== want) {
      console.error("prisma/postgres/schema.prisma is stale: run node scripts/pg-schema.mjs");
      process.exit(1);
    }
  } else if (have !== want) fs.writeFileSync(pgSchemaPath, want);
}
