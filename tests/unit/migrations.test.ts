// scripts/lib.mjs pendingMigrations(): `npm start` skips `prisma migrate deploy` when nothing is pending,
// so a second instance can start on a database another one has open.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, inject, it } from "vitest";
import { pendingMigrations, root } from "../../scripts/lib.mjs";

const folders = fs
  .readdirSync(path.join(root, "prisma", "migrations"), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function copy(name: string): string {
  const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), `${name}-`));
  const file = path.join(dir, "usage.db");
  fs.copyFileSync(inject("templateDb"), file);
  return file;
}

describe("pendingMigrations", () => {
  it("is empty for a database with every committed migration applied", () => {
    expect(folders.length).toBeGreaterThan(0);
    expect(pendingMigrations(copy("all"))).toEqual([]);
  });

  it("names a migration not applied, failed or rolled back", () => {
    const file = copy("some");
    const db = new Database(file);
    const [first, second, third] = folders;
    db.prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?").run(first);
    db.prepare("UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = ?").run(second);
    db.prepare("UPDATE _prisma_migrations SET rolled_back_at = 1 WHERE migration_name = ?").run(third);
    db.close();
    expect(pendingMigrations(file)?.sort()).toEqual([first, second, third].sort());
  });

  it("lists them all for a database without Prisma's table; null when there is no file", () => {
    const file = path.join(fs.mkdtempSync(path.join(inject("tmpRoot"), "empty-")), "usage.db");
    expect(pendingMigrations(file)).toBeNull();
    new Database(file).close();
    expect(pendingMigrations(file)?.sort()).toEqual(folders);
  });
});
