// The key spend ledger on SQLite (spend-pg.test.ts: the same on PostgreSQL; the tests themselves are in
// tests/helpers/ledger-suite.ts). The database is made as an existing one is migrated: every migration
// before the ledger's, keys and records written, then 20261203000100_key_spend.
import { beforeAll, describe } from "vitest";
import {
  historyKeys,
  insertHistory,
  insertKeys,
  sqliteApplyLedger,
  sqliteBeforeLedger,
} from "../../../tests/helpers/ledger";
import { type LedgerDb, ledgerSuite } from "../../../tests/helpers/ledger-suite";
import { exec } from "../../../tests/helpers/seed";
import { markInterrupted, RecordWriter } from "../usage/writer";

const NOW = Date.UTC(2026, 10, 20, 9, 30, 0);
let ledger: LedgerDb;

beforeAll(() => {
  const file = sqliteBeforeLedger("spend");
  const keys = historyKeys(NOW);
  insertKeys(file, keys);
  insertHistory(file, keys, NOW, 2_000);
  sqliteApplyLedger(file);
  process.env.USAGE_DB_PATH = file;
  ledger = {
    now: NOW,
    keys,
    historyFile: file,
    addKeys: async (k) => insertKeys(file, k),
    writer: () => new RecordWriter(file),
    run: async (sql) => exec(file, sql),
    failureTrigger: [
      `CREATE TABLE "FailNow" ("x" INTEGER)`,
      `CREATE TRIGGER "FailNow_content" BEFORE INSERT ON "RequestContent" WHEN EXISTS (SELECT 1 FROM "FailNow")
       BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    ],
    markInterrupted: async () => markInterrupted(file),
  };
});

describe("the key spend ledger on SQLite", () => ledgerSuite(() => ledger));
