-- A key's spend ledger (issue 16): the PostgreSQL form of prisma/migrations/20261203000100_key_spend.
-- Budgets and the key view read a key's spend here instead of summing its "Request" records, so retention
-- (RETENTION_DAYS) deleting old records gives no budget back. "requests" and "tokens" are bigint (one busy
-- key's hour can pass 2^31 tokens; scripts/pg-schema.mjs PG_BIGINT).
-- CreateTable (what `prisma migrate diff` gives)
CREATE TABLE "KeySpend" (
    "keyId" TEXT NOT NULL,
    "hour" INTEGER NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "tokens" BIGINT NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "KeySpend_pkey" PRIMARY KEY ("keyId","hour")
);

-- Everything below is written by hand (prisma migrate diff knows no triggers). "hour" counts whole hours
-- from the key's creation (ApiKey.createdAt) to the request's start (Request.createdAt), both timestamp(3)
-- UTC: budget periods (1h, 1d, 7d, 30d) run from the key's creation, so every period starts on one of its
-- hours. A record counts once it is final (status not 'running'); records without a key, or whose key is
-- not in "ApiKey", are not in the ledger. Statement-level triggers, as the rollups' (20261127000610): one
-- upsert per (key, hour) per statement, in key order, so concurrent instances cannot deadlock on them.

-- The spend so far, from the records already written (what retention deleted before is gone).
INSERT INTO "KeySpend" ("keyId", "hour", "requests", "tokens", "costUsd")
SELECT r."keyId", GREATEST(0, floor(EXTRACT(EPOCH FROM r."createdAt" - k."createdAt") / 3600))::integer, COUNT(*),
  SUM(r."totalTokens"), COALESCE(SUM(r."costUsd"), 0)
FROM "Request" AS r JOIN "ApiKey" AS k ON k."id" = r."keyId" WHERE r."status" <> 'running'
GROUP BY 1, 2;

-- Final records inserted (the writer's one write of a request done within its start's batch, or records
-- written by another path) add themselves.
CREATE FUNCTION "Request_spend_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "KeySpend" AS s ("keyId", "hour", "requests", "tokens", "costUsd")
  SELECT k."id", GREATEST(0, floor(EXTRACT(EPOCH FROM n."createdAt" - k."createdAt") / 3600))::integer, COUNT(*),
    SUM(n."totalTokens"), SUM(COALESCE(n."costUsd", 0))
  FROM new_rows n JOIN "ApiKey" k ON k."id" = n."keyId" WHERE n."status" <> 'running'
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("keyId", "hour") DO UPDATE SET "requests" = s."requests" + excluded."requests",
    "tokens" = s."tokens" + excluded."tokens", "costUsd" = s."costUsd" + excluded."costUsd";
  RETURN NULL;
END
$$;

-- Updated records take back what the old record had added (when it was final) and add the new one (when
-- it is final): a `running` record completed adds once; the same final record written again (a batch
-- retried after a COMMIT whose answer was lost) changes nothing and is skipped; `interrupted` (start-up)
-- counts the request. The writer's upsert never turns a final record back into `running` (WHERE
-- excluded."status" <> 'running'): such rows are not updated, so not in the transition tables.
-- No delete trigger: a deleted record (retention, an operator) stays spent.
CREATE FUNCTION "Request_spend_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- n…: the new record, p…: the previous one; fin: final (counted)
  WITH c AS (
    SELECT n."keyId" AS nk, n."createdAt" AS nt, n."totalTokens" AS ntok, n."costUsd" AS ncost, n."status" <> 'running' AS nfin,
      o."keyId" AS pk, o."createdAt" AS pt, o."totalTokens" AS ptok, o."costUsd" AS pcost, o."status" <> 'running' AS pfin
    FROM new_rows n JOIN old_rows o ON o."id" = n."id"
  ),
  changed AS (
    SELECT * FROM c WHERE NOT (nfin AND pfin AND nk IS NOT DISTINCT FROM pk AND nt = pt AND ntok = ptok
      AND ncost IS NOT DISTINCT FROM pcost)
  ),
  d AS (
    SELECT 1 AS sign, nk AS "keyId", nt AS "createdAt", ntok AS tokens, ncost AS cost FROM changed WHERE nfin AND nk IS NOT NULL
    UNION ALL
    SELECT -1, pk, pt, ptok, pcost FROM changed WHERE pfin AND pk IS NOT NULL
  )
  INSERT INTO "KeySpend" AS s ("keyId", "hour", "requests", "tokens", "costUsd")
  SELECT k."id", GREATEST(0, floor(EXTRACT(EPOCH FROM d."createdAt" - k."createdAt") / 3600))::integer, SUM(d.sign),
    SUM(d.sign * d.tokens), SUM(d.sign * COALESCE(d.cost, 0))
  FROM d JOIN "ApiKey" k ON k."id" = d."keyId"
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("keyId", "hour") DO UPDATE SET "requests" = s."requests" + excluded."requests",
    "tokens" = s."tokens" + excluded."tokens", "costUsd" = s."costUsd" + excluded."costUsd";
  RETURN NULL;
END
$$;

CREATE TRIGGER "Request_spend_insert" AFTER INSERT ON "Request"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Request_spend_insert"();
CREATE TRIGGER "Request_spend_update" AFTER UPDATE ON "Request"
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Request_spend_update"();
