-- CreateTable
CREATE TABLE "Request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL,
    "model" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "upstreamModel" TEXT,
    "stream" BOOLEAN NOT NULL DEFAULT false,
    "sessionId" TEXT,
    "status" TEXT NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "errorType" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "finishReason" TEXT,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "totalTokens" INTEGER NOT NULL DEFAULT 0,
    "cachedTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" REAL,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "ttftMs" INTEGER,
    "userAgent" TEXT,
    "clientAddress" TEXT
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "upstreamSessionId" TEXT,
    "systemPrompt" TEXT,
    "title" TEXT,
    "createdAt" DATETIME NOT NULL,
    "lastUsedAt" DATETIME NOT NULL,
    "turnCount" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "totalTokens" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "SessionMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sessionId" TEXT NOT NULL,
    "turn" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "requestId" TEXT,
    "promptTokens" INTEGER,
    "completionTokens" INTEGER,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "SessionMessage_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Request_createdAt_idx" ON "Request"("createdAt");

-- CreateIndex
CREATE INDEX "Request_model_provider_createdAt_idx" ON "Request"("model", "provider", "createdAt");

-- CreateIndex
CREATE INDEX "Request_provider_createdAt_idx" ON "Request"("provider", "createdAt");

-- CreateIndex
CREATE INDEX "Request_sessionId_createdAt_idx" ON "Request"("sessionId", "createdAt");

-- CreateIndex
CREATE INDEX "Request_status_createdAt_idx" ON "Request"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Session_lastUsedAt_idx" ON "Session"("lastUsedAt");

-- CreateIndex
CREATE INDEX "SessionMessage_sessionId_id_idx" ON "SessionMessage"("sessionId", "id");

