// prisma/schema.prisma (SQLite) is the one source of truth for the data model. This derives the
// PostgreSQL variant, prisma/postgres/schema.prisma: the same models with another datasource and
// generator output, and 64-bit integers (BigInt) for the rollups' sums and counts (PG_BIGINT below).
// `node scripts/pg-schema.mjs` writes it; `--check` exits 1 when the committed file differs from what
// the SQLite schema gives (src/server/db-drift.test.ts runs the same check).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const sqliteSchemaPath = path.join(root, "prisma", "schema.prisma");
export const pgSchemaPath = path.join(root, "prisma", "postgres", "schema.prisma");

const HEADER =
  "// GENERATED from prisma/schema.prisma by scripts/pg-schema.mjs: edit that file, then run the script.\n";

/**
 * Int columns that are BigInt (`bigint`) on PostgreSQL: the running sums and counts. The rollups' are added
 * up per hour (or day) by the triggers and pass 2^31 under real load (300,000 requests of 10 s in one hour
 * are 3e9 ms). SQLite's INTEGER is 64-bit already, so prisma/schema.prisma keeps Int (same SQLite client).
 * The code is typed by the SQLite client (number): the rollups are read only with $queryRaw and Number()
 * (usage/rollup-sql.ts num); the session totals are read by sessions/queries.ts listSessions, which turns
 * the PostgreSQL client's bigint into numbers. Migration 20261127000630_bigint_sums.
 */
export const PG_BIGINT = {
  UsageHourly: [
    "requests",
    "errors",
    "cancelled",
    "promptTokens",
    "completionTokens",
    "totalTokens",
    "cachedTokens",
    "costCount",
    "durationMs",
    "latencyCount",
    "latencyMs",
    "ttftCount",
    "ttftMs",
  ],
  LatencyHistogram: ["count"],
  // A session's running token totals (every turn adds its tokens, context included): a long-lived session
  // passes 2^31 too, and then saving its turns failed.
  Session: ["promptTokens", "completionTokens", "totalTokens"],
  // A key's spend per hour of its life (issue 16): one busy key's hour can pass 2^31 tokens, and an
  // overflow would fail the trigger and with it the record's write.
  KeySpend: ["requests", "tokens"],
};

/** Model blocks' `Int` fields listed in PG_BIGINT made `BigInt` (throws when one is not found as Int). */
function withBigInts(schema) {
  let out = schema;
  for (const [model, fields] of Object.entries(PG_BIGINT)) {
    const block = new RegExp(`\\nmodel ${model} \\{[^}]*\\}`).exec(out);
    if (!block) throw new Error(`schema.prisma: model ${model} not found (scripts/pg-schema.mjs PG_BIGINT)`);
    let text = block[0];
    for (const f of fields) {
      // `Int` and the padding after it become `BigInt` with 3 spaces less, so the columns stay aligned.
      const field = new RegExp(`(\\n\\s+${f}\\s+)Int( +)`);
      if (!field.test(text))
        throw new Error(`schema.prisma: ${model}.${f} is not an Int field (scripts/pg-schema.mjs PG_BIGINT)`);
      text = text.replace(field, (_, head, pad) => `${head}BigInt${" ".repeat(Math.max(1, pad.length - 3))}`);
    }
    out = out.slice(0, block.index) + text + out.slice(block.index + block[0].length);
  }
  return out;
}

/** The PostgreSQL schema text for a SQLite schema text (throws when the blocks to replace are missing). */
export function pgSchemaOf(sqlite) {
  const generator = /generator client \{[^}]*\}/;
  const datasource = /datasource db \{[^}]*\}/;
  if (!generator.test(sqlite) || !datasource.test(sqlite))
    throw new Error("schema.prisma: generator or datasource block not found");
  return (
    HEADER +
    withBigInts(sqlite)
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
