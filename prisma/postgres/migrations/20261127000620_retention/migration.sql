-- CreateTable
CREATE TABLE "Maintenance" (
    "job" TEXT NOT NULL,
    "pruning" BOOLEAN NOT NULL DEFAULT false,
    "lastRunAt" TIMESTAMP(3),
    "lastRequests" INTEGER NOT NULL DEFAULT 0,
    "lastContents" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Maintenance_pkey" PRIMARY KEY ("job")
);

-- Written by hand: the PostgreSQL form of prisma/migrations/20261127000600_retention. Retention's delete
-- transactions set Maintenance(retention).pruning (seen only by their own transaction until commit, and
-- they reset it before committing): the rollup delete trigger then leaves the totals as they are.
CREATE OR REPLACE FUNCTION "Request_rollup_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "Maintenance" WHERE "job" = 'retention' AND "pruning") THEN
    RETURN NULL;
  END IF;
  PERFORM "Request_rollup_apply"(ARRAY(SELECT ROW(-1, o."createdAt", o."provider", o."model", o."status", o."promptTokens",
    o."completionTokens", o."totalTokens", o."cachedTokens", o."costUsd", o."durationMs", o."ttftMs")::"RequestRollupDelta"
    FROM old_rows o));
  RETURN NULL;
END
$$;
