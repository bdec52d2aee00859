// Prints (JSON) the folders of prisma/postgres/migrations not yet applied to DATABASE_URL, from Prisma's
// `_prisma_migrations` table (all of them when it has none). Exits 1 when the database cannot be read.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "prisma", "postgres", "migrations");
const folders = fs
  .readdirSync(dir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
try {
  await client.connect();
  const { rows } = await client.query("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS ok");
  const applied = new Set();
  if (rows[0]?.ok) {
    const done = await client.query(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    for (const row of done.rows) applied.add(row.migration_name);
  }
  console.log(JSON.stringify(folders.filter((f) => !applied.has(f))));
} catch (e) {
  console.error(String(e?.message ?? e));
  process.exitCode = 1;
} finally {
  await client.end().catch(() => {});
}
