import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { freshDb, query } from "../../tests/helpers/seed";

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)),
  ]);

describe("Prisma's SQLite adapter", () => {
  it.skipIf(process.getuid?.() !== 0)("works again after a failed COMMIT (immutable file, as root)", async () => {
    const file = freshDb("adapter-commit");
    const { db } = await import("./db");
    const prisma = await db();
    const session = (id: string) =>
      prisma.$transaction(async (tx) => {
        const at = new Date();
        await tx.session.create({
          data: { id, provider: "ollama", model: "m", createdAt: at, lastUsedAt: at },
          select: { id: true },
        });
        await tx.session.update({ where: { id }, data: { turnCount: 1 }, select: { id: true } });
      });
    await session("s0");
    const files = [file, `${file}-wal`].filter((f) => fs.existsSync(f));
    try {
      execFileSync("chattr", ["+i", ...files]);
    } catch {
      return; // no immutable files on this file system
    }
    try {
      await expect(within(session("s1"), 10_000)).rejects.toThrow();
    } finally {
      execFileSync("chattr", ["-i", ...files]);
    }
    // Before the guard, the adapter's transaction lock stayed taken: this waited forever.
    await within(session("s2"), 10_000);
    expect(query(file, "SELECT id FROM Session ORDER BY id")).toEqual([{ id: "s0" }, { id: "s2" }]);
  });
});
