-- DropIndex
DROP INDEX "Request_createdAt_idx";

-- DropIndex
DROP INDEX "Request_model_provider_createdAt_idx";

-- DropIndex
DROP INDEX "Request_provider_createdAt_idx";

-- DropIndex
DROP INDEX "Request_sessionId_createdAt_idx";

-- DropIndex
DROP INDEX "Request_status_createdAt_idx";

-- DropIndex
DROP INDEX "Session_lastUsedAt_idx";

-- CreateTable
CREATE TABLE "UsageHourly" (
    "hour" DATETIME NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "totalTokens" INTEGER NOT NULL DEFAULT 0,
    "cachedTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" REAL,
    "costCount" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "latencyCount" INTEGER NOT NULL DEFAULT 0,
    "latencyMs" INTEGER NOT NULL DEFAULT 0,
    "ttftCount" INTEGER NOT NULL DEFAULT 0,
    "ttftMs" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("hour", "provider", "model")
) WITHOUT ROWID;

-- CreateTable
CREATE TABLE "LatencyHistogram" (
    "kind" INTEGER NOT NULL,
    "span" INTEGER NOT NULL,
    "start" DATETIME NOT NULL,
    "bin" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("kind", "span", "start", "bin")
) WITHOUT ROWID;

-- CreateIndex
CREATE INDEX "Request_createdAt_id_idx" ON "Request"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Request_model_createdAt_id_idx" ON "Request"("model", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Request_provider_createdAt_id_idx" ON "Request"("provider", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Request_provider_model_createdAt_id_idx" ON "Request"("provider", "model", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Request_sessionId_createdAt_id_idx" ON "Request"("sessionId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Request_status_createdAt_id_idx" ON "Request"("status", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Session_lastUsedAt_id_idx" ON "Session"("lastUsedAt", "id");

-- CreateIndex
CREATE INDEX "Session_provider_lastUsedAt_id_idx" ON "Session"("provider", "lastUsedAt", "id");

-- Everything below is written by hand (prisma migrate diff does not know triggers or WITHOUT ROWID).
-- The rollup tables above are WITHOUT ROWID: their primary key is the only index they need.
-- The dashboard reads whole hours (and whole days for percentiles) from the rollups and only the
-- partial hours at a range's edges from "Request". Timestamps are unix milliseconds; periods are UTC.
-- Latency bins: exact below 32 ms, then 16 per power of two (see src/server/usage/rollup-sql.ts).

-- Backfill from the requests already recorded.
INSERT INTO "UsageHourly" ("hour", "provider", "model", "requests", "errors", "cancelled", "promptTokens",
  "completionTokens", "totalTokens", "cachedTokens", "costUsd", "costCount", "durationMs", "latencyCount", "latencyMs",
  "ttftCount", "ttftMs")
SELECT "createdAt" - "createdAt" % 3600000, "provider", "model", COUNT(*), SUM("status" = 'error'), SUM("status" = 'cancelled'),
  SUM("promptTokens"), SUM("completionTokens"), SUM("totalTokens"), SUM("cachedTokens"), SUM("costUsd"), COUNT("costUsd"),
  SUM("durationMs"), SUM("status" IN ('ok', 'error')), SUM(CASE WHEN "status" IN ('ok', 'error') THEN "durationMs" ELSE 0 END),
  COUNT("ttftMs"), COALESCE(SUM("ttftMs"), 0)
FROM "Request" GROUP BY 1, 2, 3;

INSERT INTO "LatencyHistogram" ("kind", "span", "start", "bin", "count")
SELECT 0, p.span, r."createdAt" - r."createdAt" % p.ms, CASE WHEN r."durationMs" < 32 THEN MAX(r."durationMs", 0) ELSE (CAST(log2(r."durationMs") AS INTEGER) - 4) * 16 + (r."durationMs" >> (CAST(log2(r."durationMs") AS INTEGER) - 4)) END, COUNT(*)
FROM "Request" AS r, (SELECT 1 AS span, 3600000 AS ms UNION ALL SELECT 24, 86400000) AS p
WHERE r."status" IN ('ok', 'error') GROUP BY 1, 2, 3, 4;

INSERT INTO "LatencyHistogram" ("kind", "span", "start", "bin", "count")
SELECT 1, p.span, r."createdAt" - r."createdAt" % p.ms, CASE WHEN r."ttftMs" < 32 THEN MAX(r."ttftMs", 0) ELSE (CAST(log2(r."ttftMs") AS INTEGER) - 4) * 16 + (r."ttftMs" >> (CAST(log2(r."ttftMs") AS INTEGER) - 4)) END, COUNT(*)
FROM "Request" AS r, (SELECT 1 AS span, 3600000 AS ms UNION ALL SELECT 24, 86400000) AS p
WHERE r."ttftMs" IS NOT NULL GROUP BY 1, 2, 3, 4;

-- Keep the rollups in step with every write to "Request" (inserts from the app, deletes by a
-- retention job or an operator, updates). A migration that redefines "Request" drops these.
CREATE TRIGGER "Request_rollup_insert" AFTER INSERT ON "Request" BEGIN
  INSERT INTO "UsageHourly" ("hour", "provider", "model", "requests", "errors", "cancelled", "promptTokens",
    "completionTokens", "totalTokens", "cachedTokens", "costUsd", "costCount", "durationMs", "latencyCount", "latencyMs",
    "ttftCount", "ttftMs")
  VALUES (NEW."createdAt" - NEW."createdAt" % 3600000, NEW."provider", NEW."model", 1, (NEW."status" = 'error'),
    (NEW."status" = 'cancelled'), NEW."promptTokens", NEW."completionTokens", NEW."totalTokens", NEW."cachedTokens",
    NEW."costUsd", (NEW."costUsd" IS NOT NULL), NEW."durationMs", (NEW."status" IN ('ok', 'error')),
    CASE WHEN NEW."status" IN ('ok', 'error') THEN NEW."durationMs" ELSE 0 END, (NEW."ttftMs" IS NOT NULL),
    COALESCE(NEW."ttftMs", 0))
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
  SELECT 0, p.span, NEW."createdAt" - NEW."createdAt" % p.ms, CASE WHEN NEW."durationMs" < 32 THEN MAX(NEW."durationMs", 0) ELSE (CAST(log2(NEW."durationMs") AS INTEGER) - 4) * 16 + (NEW."durationMs" >> (CAST(log2(NEW."durationMs") AS INTEGER) - 4)) END, 1
  FROM (SELECT 1 AS span, 3600000 AS ms UNION ALL SELECT 24, 86400000) AS p WHERE NEW."status" IN ('ok', 'error')
  ON CONFLICT ("kind", "span", "start", "bin") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "LatencyHistogram" ("kind", "span", "start", "bin", "count")
  SELECT 1, p.span, NEW."createdAt" - NEW."createdAt" % p.ms, CASE WHEN NEW."ttftMs" < 32 THEN MAX(NEW."ttftMs", 0) ELSE (CAST(log2(NEW."ttftMs") AS INTEGER) - 4) * 16 + (NEW."ttftMs" >> (CAST(log2(NEW."ttftMs") AS INTEGER) - 4)) END, 1
  FROM (SELECT 1 AS span, 3600000 AS ms UNION ALL SELECT 24, 86400000) AS p WHERE NEW."ttftMs" IS NOT NULL
  ON CONFLICT ("kind", "span", "start", "bin") DO UPDATE SET "count" = "count" + excluded."count";
END;

CREATE TRIGGER "Request_rollup_delete" AFTER DELETE ON "Request" BEGIN
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

CREATE TRIGGER "Request_rollup_update" AFTER UPDATE OF "createdAt", "provider", "model", "status", "promptTokens", "completionTokens", "totalTokens", "cachedTokens", "costUsd", "durationMs", "ttftMs" ON "Request" BEGIN
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
  INSERT INTO "UsageHourly" ("hour", "provider", "model", "requests", "errors", "cancelled", "promptTokens",
    "completionTokens", "totalTokens", "cachedTokens", "costUsd", "costCount", "durationMs", "latencyCount", "latencyMs",
    "ttftCount", "ttftMs")
  VALUES (NEW."createdAt" - NEW."createdAt" % 3600000, NEW."provider", NEW."model", 1, (NEW."status" = 'error'),
    (NEW."status" = 'cancelled'), NEW."promptTokens", NEW."completionTokens", NEW."totalTokens", NEW."cachedTokens",
    NEW."costUsd", (NEW."costUsd" IS NOT NULL), NEW."durationMs", (NEW."status" IN ('ok', 'error')),
    CASE WHEN NEW."status" IN ('ok', 'error') THEN NEW."durationMs" ELSE 0 END, (NEW."ttftMs" IS NOT NULL),
    COALESCE(NEW."ttftMs", 0))
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
  SELECT 0, p.span, NEW."createdAt" - NEW."createdAt" % p.ms, CASE WHEN NEW."durationMs" < 32 THEN MAX(NEW."durationMs", 0) ELSE (CAST(log2(NEW."durationMs") AS INTEGER) - 4) * 16 + (NEW."durationMs" >> (CAST(log2(NEW."durationMs") AS INTEGER) - 4)) END, 1
  FROM (SELECT 1 AS span, 3600000 AS ms UNION ALL SELECT 24, 86400000) AS p WHERE NEW."status" IN ('ok', 'error')
  ON CONFLICT ("kind", "span", "start", "bin") DO UPDATE SET "count" = "count" + excluded."count";
  INSERT INTO "LatencyHistogram" ("kind", "span", "start", "bin", "count")
  SELECT 1, p.span, NEW."createdAt" - NEW."createdAt" % p.ms, CASE WHEN NEW."ttftMs" < 32 THEN MAX(NEW."ttftMs", 0) ELSE (CAST(log2(NEW."ttftMs") AS INTEGER) - 4) * 16 + (NEW."ttftMs" >> (CAST(log2(NEW."ttftMs") AS INTEGER) - 4)) END, 1
  FROM (SELECT 1 AS span, 3600000 AS ms UNION ALL SELECT 24, 86400000) AS p WHERE NEW."ttftMs" IS NOT NULL
  ON CONFLICT ("kind", "span", "start", "bin") DO UPDATE SET "count" = "count" + excluded."count";
END;
