-- CreateTable
CREATE TABLE "Request" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
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
    "costUsd" DOUBLE PRECISION,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "ttftMs" INTEGER,
    "userAgent" TEXT,
    "clientAddress" TEXT,
    "endpoint" TEXT NOT NULL DEFAULT '/v1/chat/completions',
    "requestedModel" TEXT,
    "keyId" TEXT,
    "parentRequestId" TEXT,
    "toolWaitMs" INTEGER,

    CONSTRAINT "Request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RequestContent" (
    "requestId" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "answer" TEXT NOT NULL,

    CONSTRAINT "RequestContent_pkey" PRIMARY KEY ("requestId")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "upstreamSessionId" TEXT,
    "systemPrompt" TEXT,
    "title" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "lastUsedAt" TIMESTAMP(3) NOT NULL,
    "turnCount" INTEGER NOT NULL DEFAULT 0,
    "keyId" TEXT,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "totalTokens" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SessionMessage" (
    "id" SERIAL NOT NULL,
    "sessionId" TEXT NOT NULL,
    "turn" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "requestId" TEXT,
    "promptTokens" INTEGER,
    "completionTokens" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SessionMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageHourly" (
    "hour" TIMESTAMP(3) NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "totalTokens" INTEGER NOT NULL DEFAULT 0,
    "cachedTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION,
    "costCount" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "latencyCount" INTEGER NOT NULL DEFAULT 0,
    "latencyMs" INTEGER NOT NULL DEFAULT 0,
    "ttftCount" INTEGER NOT NULL DEFAULT 0,
    "ttftMs" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "UsageHourly_pkey" PRIMARY KEY ("hour","provider","model")
);

-- CreateTable
CREATE TABLE "LatencyHistogram" (
    "kind" INTEGER NOT NULL,
    "span" INTEGER NOT NULL,
    "start" TIMESTAMP(3) NOT NULL,
    "bin" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "LatencyHistogram_pkey" PRIMARY KEY ("kind","span","start","bin")
);

-- CreateTable
CREATE TABLE "StoredResponse" (
    "id" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "sessionId" TEXT,
    "turn" INTEGER NOT NULL DEFAULT 0,
    "model" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "body" TEXT NOT NULL,

    CONSTRAINT "StoredResponse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "allowedModels" TEXT NOT NULL DEFAULT '[]',
    "rpmLimit" INTEGER,
    "tpmLimit" INTEGER,
    "maxBudgetUsd" DOUBLE PRECISION,
    "maxBudgetTokens" INTEGER,
    "budgetDuration" TEXT,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "rateTat" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKeyAudit" (
    "id" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "address" TEXT,
    "details" TEXT,

    CONSTRAINT "ApiKeyAudit_pkey" PRIMARY KEY ("id")
);

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
CREATE INDEX "Request_keyId_createdAt_id_idx" ON "Request"("keyId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Request_parentRequestId_idx" ON "Request"("parentRequestId");

-- CreateIndex
CREATE INDEX "Session_lastUsedAt_id_idx" ON "Session"("lastUsedAt", "id");

-- CreateIndex
CREATE INDEX "Session_provider_lastUsedAt_id_idx" ON "Session"("provider", "lastUsedAt", "id");

-- CreateIndex
CREATE INDEX "SessionMessage_sessionId_id_idx" ON "SessionMessage"("sessionId", "id");

-- CreateIndex
CREATE INDEX "StoredResponse_sessionId_idx" ON "StoredResponse"("sessionId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_createdAt_id_idx" ON "ApiKey"("createdAt", "id");

-- CreateIndex
CREATE INDEX "ApiKeyAudit_at_id_idx" ON "ApiKeyAudit"("at", "id");

-- CreateIndex
CREATE INDEX "ApiKeyAudit_keyId_at_idx" ON "ApiKeyAudit"("keyId", "at");

-- AddForeignKey
ALTER TABLE "RequestContent" ADD CONSTRAINT "RequestContent_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SessionMessage" ADD CONSTRAINT "SessionMessage_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

