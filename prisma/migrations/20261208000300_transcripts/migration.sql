-- CreateTable: Claude Code's transcripts of the sessions the gateway keeps (issue 28)
CREATE TABLE "TranscriptEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sessionId" TEXT NOT NULL,
    "subpath" TEXT NOT NULL DEFAULT '',
    "uuid" TEXT,
    "entry" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "TranscriptEntry_sessionId_subpath_uuid_key" ON "TranscriptEntry"("sessionId", "subpath", "uuid");

-- CreateIndex
CREATE INDEX "TranscriptEntry_sessionId_subpath_id_idx" ON "TranscriptEntry"("sessionId", "subpath", "id");

-- CreateIndex
CREATE INDEX "TranscriptEntry_createdAt_idx" ON "TranscriptEntry"("createdAt");

-- CreateIndex: which session a transcript belongs to
CREATE INDEX "Session_upstreamSessionId_idx" ON "Session"("upstreamSessionId");
