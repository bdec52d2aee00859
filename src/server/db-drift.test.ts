// One source of truth for the schema: prisma/schema.prisma (SQLite). Checks that
//  1. prisma/postgres/schema.prisma is exactly what scripts/pg-schema.mjs derives from it;
//  2. the PostgreSQL migrations, applied to an empty database, give the tables, columns (type,
//     nullability), primary keys and indexes that the SQLite migrations give (types mapped by provider;
//     the one intended difference: the rollups' sums and counts listed in pg-schema.mjs PG_BIGINT are
//     bigint on PostgreSQL, where SQLite's INTEGER is 64-bit already);
//  3. they also give what prisma/postgres/schema.prisma describes (a model change with no PostgreSQL
//     migration fails here).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_BIGINT, pgSchemaOf, pgSchemaPath, sqliteSchemaPath } from "../../scripts/pg-schema.mjs";
import { migratePg, type PgCluster, startPostgres } from "../../tests/helpers/postgres";
import { freshDb, query } from "../../tests/helpers/seed";

const root = path.resolve(import.meta.dirname, "../..");
let cluster: PgCluster;

beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(() => cluster?.stop());

type Shape = Record<string, { columns: string[]; primaryKey: string[]; indexes: string[] }>;

const PG_TYPE: Record<string, string> = {
  TEXT: "text",
  DATETIME: "timestamp",
  INTEGER: "integer",
  REAL: "double precision",
  BOOLEAN: "boolean",
};

/** A SQLite column's PostgreSQL type: by provider, and bigint for the PG_BIGINT columns (INTEGER on SQLite). */
function pgTypeOf(table: string, column: string, type: string): string {
  const big = PG_BIGINT[table] ?? [];
  if (type === "INTEGER" && big.includes(column)) return "bigint";
  return PG_TYPE[type] ?? type;
}

function sqliteShape(file: string): Shape {
  const out: Shape = {};
  const tables = query<{ name: string }>(
    file,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name",
  );
  for (const { name } of tables) {
    const cols = query<{ name: string; type: string; notnull: number; pk: number }>(
      file,
      `PRAGMA table_info("${name}")`,
    );
    const indexes = query<{ name: string; origin: string }>(file, `PRAGMA index_list("${name}")`)
      .filter((i) => i.origin === "c" || i.origin === "u")
      .map((i) => {
        const on = query<{ name: string }>(file, `PRAGMA index_info("${i.name}")`).map((c) => c.name);
        return `${i.name}(${on.join(",")})`;
      });
    out[name] = {
      columns: cols
        .map((c) => `${c.name} ${pgTypeOf(name, c.name, c.type)}${c.notnull || c.pk ? " not null" : ""}`)
        .sort(),
      primaryKey: cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      indexes: indexes.sort(),
    };
  }
  return out;
}

async function pgShape(database: string): Promise<Shape> {
  const out: Shape = {};
  const cols = await cluster.query<{ t: string; c: string; type: string; nullable: string }>(
    database,
    `SELECT table_name AS t, column_name AS c, data_type AS type, is_nullable AS nullable FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, 2`,
  );
  for (const c of cols) {
    out[c.t] ??= { columns: [], primaryKey: [], indexes: [] };
    const type = c.type.startsWith("timestamp") ? "timestamp" : c.type;
    out[c.t]!.columns.push(`${c.c} ${type}${c.nullable === "NO" ? " not null" : ""}`);
  }
  const idx = await cluster.query<{ t: string; i: string; primary: boolean; cols: string[] }>(
    database,
    `SELECT t.relname AS t, i.relname AS i, x.indisprimary AS primary,
       ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o)::text[] AS cols
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace s ON s.oid = t.relnamespace WHERE s.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
  );
  for (const x of idx) {
    if (x.primary) out[x.t]!.primaryKey = x.cols;
    else out[x.t]!.indexes.push(`${x.i}(${x.cols.join(",")})`);
  }
  for (const s of Object.values(out)) {
    s.columns.sort();
    s.indexes.sort();
  }
  return out;
}

describe("schema drift between SQLite and PostgreSQL", () => {
  it("prisma/postgres/schema.prisma is generated from prisma/schema.prisma (node scripts/pg-schema.mjs)", () => {
    expect(fs.readFileSync(pgSchemaPath, "utf8")).toBe(pgSchemaOf(fs.readFileSync(sqliteSchemaPath, "utf8")));
  });

  it("pg-schema.mjs refuses a PG_BIGINT field that is no longer an Int of its model (renamed, retyped)", () => {
    const sqlite = fs.readFileSync(sqliteSchemaPath, "utf8");
    expect(pgSchemaOf(sqlite)).toMatch(/\n {2}ttftMs {11}BigInt {3}@default\(0\)/);
    expect(() =>
      pgSchemaOf(sqlite.replace(/(\n\s+ttftMs\s+)Int( +@default\(0\)\n\n\s+@@id\(\[hour)/, "$1Float$2")),
    ).toThrow(/UsageHourly\.ttftMs is not an Int field/);
    expect(() => pgSchemaOf(sqlite.replace("model LatencyHistogram {", "model Histogram {"))).toThrow(
      /model LatencyHistogram not found/,
    );
  });

  it("the PostgreSQL migrations from empty give the tables, columns and indexes of the SQLite migrations", async () => {
    const url = await cluster.createDatabase("migrated");
    await migratePg(url);
    const pg = await pgShape("migrated");
    expect(Object.keys(pg)).toEqual(expect.arrayContaining(["Request", "UsageHourly", "ApiKey", "StoredResponse"]));
    expect(pg).toEqual(sqliteShape(freshDb("drift")));
    // The rollup and key-spend triggers exist (a migration that rebuilds Request must re-create them).
    const triggers = await cluster.query<{ n: string }>(
      "migrated",
      `SELECT tgname AS n FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = '"Request"'::regclass ORDER BY 1`,
    );
    expect(triggers.map((t) => t.n)).toEqual([
      "Request_rollup_delete",
      "Request_rollup_insert",
      "Request_rollup_update",
      "Request_spend_insert",
      "Request_spend_update",
    ]);
  });

  it("the PostgreSQL migrations give what prisma/postgres/schema.prisma describes", async () => {
    const res = spawnSync(
      process.execPath,
      [
        path.join(root, "node_modules/prisma/build/index.js"),
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        pgSchemaPath,
        "--script",
      ],
      { cwd: root, encoding: "utf8", env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" } },
    );
    expect(res.status, res.stderr).toBe(0);
    await cluster.createDatabase("fromschema");
    await cluster.query("fromschema", res.stdout);
    if (!(await cluster.query("postgres", "SELECT 1 FROM pg_database WHERE datname = 'migrated'")).length) {
      await migratePg(await cluster.createDatabase("migrated"));
    }
    expect(await pgShape("migrated")).toEqual(await pgShape("fromschema"));
  });

  it("instances starting together on an empty database all start: one migrates, the others wait for it", async () => {
    const url = await cluster.createDatabase("together");
    const lib = path.join(root, "scripts", "lib.mjs");
    const start = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(
          process.execPath,
          ["-e", `import(${JSON.stringify(lib)}).then((l) => l.migratePostgres(${JSON.stringify(url)}))`],
          {
            cwd: root,
            stdio: "ignore",
          },
        );
        child.on("exit", resolve);
      });
    expect(await Promise.all([start(), start(), start()])).toEqual([0, 0, 0]);
    const rows = await cluster.query<{ n: string }>(
      "together",
      "SELECT COUNT(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL",
    );
    expect(Number(rows[0]!.n)).toBe(
      fs.readdirSync(path.join(root, "prisma", "postgres", "migrations")).filter((f) => !f.endsWith(".toml")).length,
    );
  });

  it("an unreachable database stops the start with a message", () => {
    const lib = path.join(root, "scripts", "lib.mjs");
    const res = spawnSync(
      process.execPath,
      ["-e", `import(${JSON.stringify(lib)}).then((l) => l.migratePostgres("postgresql://postgres@127.0.0.1:1/none"))`],
      { cwd: root, encoding: "utf8" },
    );
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/applying migrations to the PostgreSQL database \(DATABASE_URL\) failed/);
  });
});
