-- Stored Responses API responses (GET/DELETE /v1/responses/{id}, previous_response_id).
CREATE TABLE "StoredResponse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "sessionId" TEXT,
    "turn" INTEGER NOT NULL DEFAULT 0,
    "model" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "body" TEXT NOT NULL
);
CREATE INDEX "StoredResponse_sessionId_idx" ON "StoredResponse"("sessionId");
