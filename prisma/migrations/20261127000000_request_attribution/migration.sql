-- Attribution columns shared by the Responses API, model aliases, API keys and tool-call loops.
-- ADD COLUMN keeps the Request table (and its rollup triggers) as they are.
ALTER TABLE "Request" ADD COLUMN "endpoint" TEXT NOT NULL DEFAULT '/v1/chat/completions';
ALTER TABLE "Request" ADD COLUMN "requestedModel" TEXT;
ALTER TABLE "Request" ADD COLUMN "keyId" TEXT;
ALTER TABLE "Request" ADD COLUMN "parentRequestId" TEXT;
ALTER TABLE "Request" ADD COLUMN "toolWaitMs" INTEGER;
ALTER TABLE "Session" ADD COLUMN "keyId" TEXT;
CREATE INDEX "Request_keyId_createdAt_id_idx" ON "Request"("keyId", "createdAt", "id");
CREATE INDEX "Request_parentRequestId_idx" ON "Request"("parentRequestId");
