// The two workarounds of prisma/postgres/adapter.ts are needed (the plain adapter fails) and work.
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgMigrateAdapter } from "../../prisma/postgres/adapter";
import { type PgCluster, startPostgres } from "../helpers/postgres";

let cluster: PgCluster;
let url: string;
beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase("adapter");
});
afterAll(() => cluster?.stop());

const FN = `CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$; SELECT f();`;
const NAME = { sql: "SELECT datname FROM pg_database LIMIT 1", args: [], argTypes: [] };

describe("prisma/postgres/adapter.ts", () => {
  it("the plain @prisma/adapter-pg 6.19.3 cannot read a `name` column nor run a $$ body", async () => {
    const plain = await new PrismaPg({ connectionString: url }).connect();
    try {
      await expect(plain.queryRaw(NAME)).rejects.toThrow();
      await expect(plain.executeScript(FN)).rejects.toThrow();
    } finally {
      await plain.dispose();
    }
  });

  it("with the workarounds: `name` reads as text, the script runs whole", async () => {
    const fixed = await pgMigrateAdapter(new PrismaPg({ connectionString: url })).connect();
    try {
      const res = await fixed.queryRaw(NAME);
      expect(typeof res.rows[0]?.[0]).toBe("string");
      await fixed.executeScript(FN);
      expect(await cluster.query("adapter", "SELECT f() AS v")).toEqual([{ v: 1 }]);
      await expect(fixed.executeScript("SELECT nosuchfunction()")).rejects.toThrow(/nosuchfunction/);
    } finally {
      await fixed.dispose();
    }
  });
});
