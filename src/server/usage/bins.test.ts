// The latency-bin formula lives once in TypeScript (periods.ts binOf) and once as SQL text
// (periods.ts binSqlText, used by the queries); the migration's triggers must hold that very text.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { binOf, binSqlText } from "./periods";

const root = path.resolve(import.meta.dirname, "../../..");
const migration = fs.readFileSync(
  path.join(root, "prisma", "migrations", "20261121020000_console_indexes", "migration.sql"),
  "utf8",
);

describe("latency bins in SQL", () => {
  it("the SQL text gives binOf()'s bin for every value (SQLite's own log2)", () => {
    const values: number[] = [-5, 0, 1, 31, 32, 33, 47, 48, 63, 64, 65, 1023, 1024, 1025];
    for (let v = 0; v < 5_000_000; v = Math.floor(v * 1.013) + 1) values.push(v, v + 1, 2 ** 20 - v);
    const db = new Database(":memory:");
    db.exec("CREATE TABLE t (v INTEGER)");
    const insert = db.prepare("INSERT INTO t VALUES (?)");
    db.transaction(() => {
      for (const v of values) insert.run(v);
    })();
    const rows = db.prepare(`SELECT v, ${binSqlText("v")} AS bin FROM t`).all() as Array<{ v: number; bin: number }>;
    db.close();
    expect(rows.length).toBe(values.length);
    for (const r of rows) expect([r.v, r.bin]).toEqual([r.v, binOf(r.v)]);
  });

  it("the migration's triggers and backfill bin with exactly that text", () => {
    const found = [...migration.matchAll(/CASE WHEN ([\w."]+) < 32 THEN .*? END/g)];
    // Backfill (2), insert (2), delete (2), update old (2) and new (2), per kind: duration and ttft.
    expect(found.length).toBe(10);
    for (const [text, col] of found) expect(text).toBe(binSqlText(col!));
    const cols = new Set(found.map((m) => m[1]));
    expect(cols).toEqual(
      new Set(['r."durationMs"', 'r."ttftMs"', 'NEW."durationMs"', 'NEW."ttftMs"', 'OLD."durationMs"', 'OLD."ttftMs"']),
    );
  });
});
