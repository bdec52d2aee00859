-- CreateTable
CREATE TABLE "SessionOwner" (
    "sessionId" TEXT NOT NULL PRIMARY KEY,
    "keyId" TEXT,
    "claimedAt" DATETIME NOT NULL
);

-- AlterTable
ALTER TABLE "StoredResponse" ADD COLUMN "keyId" TEXT;

-- Written by hand: existing sessions keep the key that started them, and stored responses get the key of
-- the request that made them (else of their session, when retention already removed that record).
INSERT INTO "SessionOwner" ("sessionId", "keyId", "claimedAt") SELECT "id", "keyId", "createdAt" FROM "Session";
UPDATE "StoredResponse" SET "keyId" = COALESCE(
  (SELECT "keyId" FROM "Request" WHERE "Request"."id" = "StoredResponse"."requestId"),
  (SELECT "keyId" FROM "Session" WHERE "Session"."id" = "StoredResponse"."sessionId"));
