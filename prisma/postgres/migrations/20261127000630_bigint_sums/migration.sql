-- The rollups' sums and counts, and a session's running token totals, become 64-bit (PostgreSQL only:
-- SQLite's INTEGER is 64-bit already). With 32-bit columns, an hour of one model whose summed durationMs,
-- latencyMs, ttftMs or tokens passed 2^31 (300,000 requests of 10 s in one hour are 3e9 ms) made the
-- rollup trigger fail, and with it every insert into "Request" ("integer out of range"): records were
-- lost; a session past 2^31 tokens could no longer save its turns. prisma/postgres/schema.prisma says
-- BigInt for these columns (scripts/pg-schema.mjs PG_BIGINT); the statements are what
-- `prisma migrate diff` gives between the two schemas. Each table is rewritten under an exclusive lock:
-- the rollups are small (one row per hour, provider and model; one per period and latency bin), "Session"
-- has one row per conversation.
--
-- The trigger functions of 20261127000610_rollup_triggers need no change: "RequestRollupDelta" holds one
-- record's values (32-bit like the "Request" columns they come from), SUM() over integer gives bigint,
-- and the ON CONFLICT additions now add bigint to bigint.

-- AlterTable
ALTER TABLE "Session" ALTER COLUMN "promptTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "completionTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "totalTokens" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "UsageHourly" ALTER COLUMN "requests" SET DATA TYPE BIGINT,
ALTER COLUMN "errors" SET DATA TYPE BIGINT,
ALTER COLUMN "cancelled" SET DATA TYPE BIGINT,
ALTER COLUMN "promptTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "completionTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "totalTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "cachedTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "costCount" SET DATA TYPE BIGINT,
ALTER COLUMN "durationMs" SET DATA TYPE BIGINT,
ALTER COLUMN "latencyCount" SET DATA TYPE BIGINT,
ALTER COLUMN "latencyMs" SET DATA TYPE BIGINT,
ALTER COLUMN "ttftCount" SET DATA TYPE BIGINT,
ALTER COLUMN "ttftMs" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "LatencyHistogram" ALTER COLUMN "count" SET DATA TYPE BIGINT;
