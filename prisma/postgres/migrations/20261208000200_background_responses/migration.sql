-- Background responses (issue 26): a stored response's status and its run's lease, and the run's stream events.
ALTER TABLE "StoredResponse" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'completed';
ALTER TABLE "StoredResponse" ADD COLUMN "background" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "StoredResponse" ADD COLUMN "cancelRequested" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "StoredResponse" ADD COLUMN "runner" TEXT;
ALTER TABLE "StoredResponse" ADD COLUMN "leaseUntil" TIMESTAMP(3);
ALTER TABLE "StoredResponse" ADD COLUMN "finishedAt" TIMESTAMP(3);
CREATE INDEX "StoredResponse_finishedAt_idx" ON "StoredResponse"("finishedAt");

CREATE TABLE "ResponseEvent" (
    "responseId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "json" TEXT NOT NULL,

    CONSTRAINT "ResponseEvent_pkey" PRIMARY KEY ("responseId", "seq")
);
