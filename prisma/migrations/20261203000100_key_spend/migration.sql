-- A key's spend ledger (issue 16): budgets and the key view read a key's spend here instead of summing
-- its "Request" records, so retention (RETENTION_DAYS) deleting old records gives no budget back.
-- CreateTable (what `prisma migrate diff` gives, made WITHOUT ROWID: the primary key is its only index)
CREATE TABLE "KeySpend" (
    "keyId" TEXT NOT NULL,
    "hour" INTEGER NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "tokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" REAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("keyId", "hour")
) WITHOUT ROWID;

-- Everything below is written by hand (prisma migrate diff knows no triggers). "hour" counts whole hours
-- from the key's creation (ApiKey.createdAt) to the request's start (Request.createdAt), both Unix ms:
-- budget periods (1h, 1d, 7d, 30d) run from the key's creation, so every period starts on one of its
-- hours, whatever budget_duration is or becomes. A record counts once it is final (status not 'running');
-- records without a key, or whose key is not in "ApiKey", are not in the ledger.

-- The spend so far, from the records already written (what retention deleted before is gone).
INSERT INTO "KeySpend" ("keyId", "hour", "requests", "tokens", "costUsd")
SELECT r."keyId", CAST(MAX(r."createdAt" - k."createdAt", 0) / 3600000 AS INTEGER), COUNT(*), SUM(r."totalTokens"),
  COALESCE(SUM(r."costUsd"), 0)
FROM "Request" AS r, "ApiKey" AS k WHERE k."id" = r."keyId" AND r."status" <> 'running'
GROUP BY 1, 2;

-- A final record inserted (the writer's one write of a request done within its start's batch, or a record
-- written by another path) adds itself.
CREATE TRIGGER "Request_spend_insert" AFTER INSERT ON "Request"
WHEN NEW."keyId" IS NOT NULL AND NEW."status" <> 'running' BEGIN
  INSERT INTO "KeySpend" ("keyId", "hour", "requests", "tokens", "costUsd")
  SELECT k."id", CAST(MAX(NEW."createdAt" - k."createdAt", 0) / 3600000 AS INTEGER), 1, NEW."totalTokens",
    COALESCE(NEW."costUsd", 0)
  FROM "ApiKey" AS k WHERE k."id" = NEW."keyId"
  ON CONFLICT ("keyId", "hour") DO UPDATE SET "requests" = "requests" + excluded."requests",
    "tokens" = "tokens" + excluded."tokens", "costUsd" = "costUsd" + excluded."costUsd";
END;

-- An update takes back what the old record had added (when it was final) and adds the new one (when it is
-- final): a `running` record completed adds once; the same final record written again (a retried write
-- whose first attempt did commit) changes nothing and is skipped; `interrupted` (start-up) counts the
-- request. No delete trigger: a deleted record (retention, an operator) stays spent.
CREATE TRIGGER "Request_spend_update" AFTER UPDATE OF "createdAt", "status", "totalTokens", "costUsd", "keyId" ON "Request"
WHEN (OLD."status" <> 'running' AND OLD."keyId" IS NOT NULL OR NEW."status" <> 'running' AND NEW."keyId" IS NOT NULL)
  AND NOT (OLD."status" <> 'running' AND NEW."status" <> 'running' AND OLD."keyId" IS NEW."keyId"
    AND OLD."createdAt" = NEW."createdAt" AND OLD."totalTokens" = NEW."totalTokens" AND OLD."costUsd" IS NEW."costUsd")
BEGIN
  INSERT INTO "KeySpend" ("keyId", "hour", "requests", "tokens", "costUsd")
  SELECT k."id", CAST(MAX(OLD."createdAt" - k."createdAt", 0) / 3600000 AS INTEGER), -1, -OLD."totalTokens",
    -COALESCE(OLD."costUsd", 0)
  FROM "ApiKey" AS k WHERE k."id" = OLD."keyId" AND OLD."status" <> 'running'
  ON CONFLICT ("keyId", "hour") DO UPDATE SET "requests" = "requests" + excluded."requests",
    "tokens" = "tokens" + excluded."tokens", "costUsd" = "costUsd" + excluded."costUsd";
  INSERT INTO "KeySpend" ("keyId", "hour", "requests", "tokens", "costUsd")
  SELECT k."id", CAST(MAX(NEW."createdAt" - k."createdAt", 0) / 3600000 AS INTEGER), 1, NEW."totalTokens",
    COALESCE(NEW."costUsd", 0)
  FROM "ApiKey" AS k WHERE k."id" = NEW."keyId" AND NEW."status" <> 'running'
  ON CONFLICT ("keyId", "hour") DO UPDATE SET "requests" = "requests" + excluded."requests",
    "tokens" = "tokens" + excluded."tokens", "costUsd" = "costUsd" + excluded."costUsd";
END;
