-- CreateTable
CREATE TABLE "SessionOwner" (
    "sessionId" TEXT NOT NULL,
    "keyId" TEXT,
    "claimedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SessionOwner_pkey" PRIMARY KEY ("sessionId")
);

-- AlterTable
ALTER TABLE "StoredResponse" ADD COLUMN "keyId" TEXT;

-- Written by hand: the PostgreSQL form of prisma/migrations/20261203000000_ownership.
INSERT INTO "SessionOwner" ("sessionId", "keyId", "claimedAt") SELECT "id", "keyId", "createdAt" FROM "Session";
UPDATE "StoredResponse" SET "keyId" = COALESCE(
  (SELECT "keyId" FROM "Request" WHERE "Request"."id" = "StoredResponse"."requestId"),
  (SELECT "keyId" FROM "Session" WHERE "Session"."id" = "StoredResponse"."sessionId"));
