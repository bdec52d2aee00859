// The key spend ledger on PostgreSQL (spend.test.ts: the same on SQLite; the tests themselves are in
// tests/helpers/ledger-suite.ts). The database is made as an existing one is migrated: every PostgreSQL
// migration before the ledger's, keys and records written (the same history as on SQLite, copied from a
// SQLite file that is the reference), then 20261203000100_key_spend.
import { afterAll, beforeAll, describe } from "vitest";
import {
  historyKeys,
  insertHistory,
  insertKeys,
  insertKeysPg,
  pgApplyLedger,
  pgBeforeLedger,
  sqliteBeforeLedger,
} from "../../../tests/helpers/ledger";
import { type LedgerDb, ledgerSuite } from "../../../tests/helpers/ledger-suite";
import { copyRequestsToPg, type PgCluster, startPostgres } from "../../../tests/helpers/postgres";
import { markInterruptedPg, PgRecordWriter } from "../usage/pg-writer";

const NOW = Date.UTC(2026, 10, 20, 9, 30, 0);
let cluster: PgCluster;
let ledger: LedgerDb;

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase("spend");
  await pgBeforeLedger(url);
  const file = sqliteBeforeLedger("spend-pg");
  const keys = historyKeys(NOW);
  insertKeys(file, keys);
  insertHistory(file, keys, NOW, 2_000);
  await insertKeysPg(url, keys);
  await copyRequestsToPg(file, url);
  await pgApplyLedger(url);
  process.env.DATABASE_URL = url;
  ledger = {
    now: NOW,
    keys,
    historyFile: file,
    addKeys: (k) => insertKeysPg(url, k),
    writer: () => new PgRecordWriter(url),
    run: async (sql) => void (await cluster.query("spend", sql)),
    failureTrigger: [
      `CREATE TABLE "FailNow" ("x" integer)`,
      `CREATE FUNCTION "FailNow_content"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF EXISTS (SELECT 1 FROM "FailNow") THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`,
      `CREATE TRIGGER "FailNow_content" BEFORE INSERT ON "RequestContent" FOR EACH ROW EXECUTE FUNCTION "FailNow_content"()`,
    ],
    markInterrupted: () => markInterruptedPg(url, 60_000),
  };
});

afterAll(async () => {
  const { db } = await import("../db");
  await (await db()).$disconnect();
  cluster?.stop();
});

describe("the key spend ledger on PostgreSQL", () => ledgerSuite(() => ledger));
