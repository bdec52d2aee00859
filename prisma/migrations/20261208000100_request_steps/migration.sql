-- What the agent did: a request's steps (issue 25)
-- CreateTable
CREATE TABLE "RequestStep" (
    "requestId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "parentSeq" INTEGER,
    "kind" TEXT NOT NULL,
    "tool" TEXT,
    "callId" TEXT,
    "summary" TEXT,
    "outcome" TEXT,
    "resultBytes" INTEGER,
    "startedAt" DATETIME NOT NULL,
    "durationMs" INTEGER,
    "model" TEXT,
    "inputTokens" INTEGER,
    "outputTokens" INTEGER,
    "path" TEXT,

    PRIMARY KEY ("requestId", "seq"),
    CONSTRAINT "RequestStep_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "RequestStep_tool_requestId_idx" ON "RequestStep"("tool", "requestId");

