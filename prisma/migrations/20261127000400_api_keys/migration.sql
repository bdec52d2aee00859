-- API keys (issue 11): the key table (hash + visible prefix, limits, the rpm limiter state) and the audit log.
-- Plain tables and indexes, the same in SQLite and PostgreSQL.
-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "allowedModels" TEXT NOT NULL DEFAULT '[]',
    "rpmLimit" INTEGER,
    "tpmLimit" INTEGER,
    "maxBudgetUsd" REAL,
    "maxBudgetTokens" INTEGER,
    "budgetDuration" TEXT,
    "expiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "rateTat" REAL NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "ApiKeyAudit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "keyId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "address" TEXT,
    "details" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_createdAt_id_idx" ON "ApiKey"("createdAt", "id");

-- CreateIndex
CREATE INDEX "ApiKeyAudit_at_id_idx" ON "ApiKeyAudit"("at", "id");

-- CreateIndex
CREATE INDEX "ApiKeyAudit_keyId_at_idx" ON "ApiKeyAudit"("keyId", "at");

