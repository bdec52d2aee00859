-- CreateTable
CREATE TABLE "Maintenance" (
    "job" TEXT NOT NULL PRIMARY KEY,
    "pruning" BOOLEAN NOT NULL DEFAULT false,
    "lastRunAt" DATETIME,
    "lastRequests" INTEGER NOT NULL DEFAULT 0,
    "lastContents" INTEGER NOT NULL DEFAULT 0
);

-- Written by hand: retention (RETENTION_DAYS, src/server/retention.ts) deletes old requests but the
-- rollups keep their totals. Its delete transactions set Maintenance(retention).pruning; the delete
-- trigger of 20261121020000_console_indexes is re-created, unchanged but for this WHEN clause.
DROP TRIGGER "Request_rollup_delete";

CREATE TRIGGER "Request_rollup_delete" AFTER DELETE ON "Request"
WHEN NOT EXISTS (SELECT 1 FROM "Maintenance" WHERE "job" = 'retention' AND "pruning" = 1) BEGIN
  INSERT INTO "UsageHourly" ("hour", "provider", "model", "requests", "errors", "cancelled", "promptTokens",
    "completionTokens", "totalTokens", "cachedTokens", "costUsd", "costCount", "durationMs", "latencyCount", "latencyMs",
    "ttftCount", "ttftMs")
  VALUES (OLD."createdAt" - OLD."createdAt" % 3600000, OLD."provider", OLD."model", -1, -(OLD."status" = 'error'),
    -(OLD."status" = 'cancelled'), -OLD."promptTokens", -OLD."completionTokens", -OLD."totalTokens", -OLD."cachedTokens",
    -OLD."costUsd", -(OLD."costUsd" IS NOT NULL), -OLD."durationMs", -(OLD."status" IN ('ok', 'error')),
    CASE WHEN OLD."status" IN ('ok', 'error') THEN -OLD."durationMs" ELSE 0 END, -(OLD."ttftMs" IS NOT NULL),
    -COALESCE(OLD."ttftMs", 0))
  ON CONFLICT ("hour", "provider", "model") DO UPDATE SET
    "requests" = "requests" + excluded."requests", "errors" = "errors" + excluded."errors",
    "cancelled" = "cancelled" + excluded."cancelled", "promptTokens" = "promptTokens" + excluded."promptTokens",
    "completionTokens" = "completionTokens" + excluded."completionTokens",
    "totalTokens" = "totalTokens" + excluded."totalTokens", "cachedTokens" = "cachedTokens" + excluded."cachedTokens",
    "costUsd" = CASE WHEN "costCount" + excluded."costCount" = 0 THEN NULL
      ELSE COALESCE("costUsd", 0) + COALESCE(excluded."costUsd", 0) END,
    "costCount" = "costCount" + excluded."costCount", "durationMs" = "durationMs" + excluded."durationMs",
    "latencyCount" = "latencyCount" + excluded."latencyCount", "latencyMs" = "latencyMs" + excluded."latencyMs",
    "ttftCount" = "ttftCount" + excluded."ttftCount", "ttftMs" = "ttftMs" + excluded."ttftMs";
  INSERT INTO "LatencyHistogram" ("kind", "span", "start", "bin", "count")
  SELECT 0, p.span, OLD."createdAt" - OLD."createdAt" % p.ms, CASE WHEN OLD."durationMs" < 32 THEN MAX(OLD."durationMs", 0) ELSE (CAST(log2(OLD."durationMs") AS INTEGER) - 4) * 16 + (OLD."durationMs" >> (CAST(log2(OLD."durationMs") AS INTEGER) - 4)) END, -1
  FROM (SELECT 1 AS span, 3600000 AS ms UNION ALL SELECT 24, 86400000) AS p WHERE OLD."status" IN ('ok', 'error')
  ON CONFLICT ("kind", "span", "start", "bin") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "LatencyHistogram" ("kind", "span", "start", "bin", "count")
  SELECT 1, p.span, OLD."createdAt" - OLD."createdAt" % p.ms, CASE WHEN OLD."ttftMs" < 32 THEN MAX(OLD."ttftMs", 0) ELSE (CAST(log2(OLD."ttftMs") AS INTEGER) - 4) * 16 + (OLD."ttftMs" >> (CAST(log2(OLD."ttftMs") AS INTEGER) - 4)) END, -1
  FROM (SELECT 1 AS span, 3600000 AS ms UNION ALL SELECT 24, 86400000) AS p WHERE OLD."ttftMs" IS NOT NULL
  ON CONFLICT ("kind", "span", "start", "bin") DO UPDATE SET "count" = "count" + excluded."count";
  DELETE FROM "UsageHourly" WHERE "hour" = OLD."createdAt" - OLD."createdAt" % 3600000 AND "provider" = OLD."provider"
    AND "model" = OLD."model" AND "requests" = 0;
  DELETE FROM "LatencyHistogram" WHERE "kind" IN (0, 1) AND "span" IN (1, 24)
    AND "start" IN (OLD."createdAt" - OLD."createdAt" % 3600000, OLD."createdAt" - OLD."createdAt" % 86400000) AND "count" = 0;
END;
