-- AlterTable
ALTER TABLE "Request" ADD COLUMN "upstreamHost" TEXT;

-- CreateIndex
CREATE INDEX "Request_upstreamHost_createdAt_id_idx" ON "Request"("upstreamHost", "createdAt", "id");

