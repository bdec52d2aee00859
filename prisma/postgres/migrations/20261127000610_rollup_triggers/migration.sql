-- Written by hand (prisma migrate diff knows no triggers): the PostgreSQL form of the SQLite rollup
-- triggers of prisma/migrations/20261121020000_console_indexes. UsageHourly and LatencyHistogram follow
-- every insert, update and delete on "Request".
--
-- Statement-level, not row-level: one trigger run per statement hands the statement's rows (transition
-- tables, +1 for new rows and -1 for old ones) to "Request_rollup_apply", which upserts each rollup row
-- once, in key order. A batched insert therefore takes each hot rollup row once, and every writer locks
-- rollup rows in the same order, so concurrent instances cannot deadlock on them (bench/pg-rollup.mjs
-- measured it against one upsert per row, as a row-level trigger does: see bench/results.md). The SQL is
-- static (no EXECUTE) so PostgreSQL caches its plans. Timestamps are `timestamp(3)` in UTC; periods are
-- date_trunc('hour'|'day'). Latency bins: src/server/usage/periods.ts binOf (pgBinSqlText is this text).

CREATE TYPE "RequestRollupDelta" AS (
  "s" integer, "createdAt" timestamp(3), "provider" text, "model" text, "status" text, "promptTokens" integer,
  "completionTokens" integer, "totalTokens" integer, "cachedTokens" integer, "costUsd" double precision,
  "durationMs" integer, "ttftMs" integer
);

CREATE FUNCTION "Request_rollup_apply"(d "RequestRollupDelta"[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "UsageHourly" AS u ("hour", "provider", "model", "requests", "errors", "cancelled", "promptTokens",
    "completionTokens", "totalTokens", "cachedTokens", "costUsd", "costCount", "durationMs", "latencyCount",
    "latencyMs", "ttftCount", "ttftMs")
  SELECT date_trunc('hour', x."createdAt"), x."provider", x."model", SUM(x.s),
    SUM(CASE WHEN x."status" = 'error' THEN x.s ELSE 0 END), SUM(CASE WHEN x."status" = 'cancelled' THEN x.s ELSE 0 END),
    SUM(x.s * x."promptTokens"), SUM(x.s * x."completionTokens"), SUM(x.s * x."totalTokens"), SUM(x.s * x."cachedTokens"),
    SUM(x.s * x."costUsd"), SUM(CASE WHEN x."costUsd" IS NOT NULL THEN x.s ELSE 0 END), SUM(x.s * x."durationMs"),
    SUM(CASE WHEN x."status" IN ('ok', 'error') THEN x.s ELSE 0 END),
    SUM(CASE WHEN x."status" IN ('ok', 'error') THEN x.s * x."durationMs" ELSE 0 END),
    SUM(CASE WHEN x."ttftMs" IS NOT NULL THEN x.s ELSE 0 END), SUM(x.s * COALESCE(x."ttftMs", 0))
  FROM unnest(d) AS x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("hour", "provider", "model") DO UPDATE SET
    "requests" = u."requests" + excluded."requests", "errors" = u."errors" + excluded."errors",
    "cancelled" = u."cancelled" + excluded."cancelled", "promptTokens" = u."promptTokens" + excluded."promptTokens",
    "completionTokens" = u."completionTokens" + excluded."completionTokens",
    "totalTokens" = u."totalTokens" + excluded."totalTokens", "cachedTokens" = u."cachedTokens" + excluded."cachedTokens",
    "costUsd" = CASE WHEN u."costCount" + excluded."costCount" = 0 THEN NULL
      ELSE COALESCE(u."costUsd", 0) + COALESCE(excluded."costUsd", 0) END,
    "costCount" = u."costCount" + excluded."costCount", "durationMs" = u."durationMs" + excluded."durationMs",
    "latencyCount" = u."latencyCount" + excluded."latencyCount", "latencyMs" = u."latencyMs" + excluded."latencyMs",
    "ttftCount" = u."ttftCount" + excluded."ttftCount", "ttftMs" = u."ttftMs" + excluded."ttftMs";
  WITH v AS (
    SELECT x.s, x."createdAt", 0 AS kind, x."durationMs" AS ms FROM unnest(d) AS x WHERE x."status" IN ('ok', 'error')
    UNION ALL SELECT x.s, x."createdAt", 1, x."ttftMs" FROM unnest(d) AS x WHERE x."ttftMs" IS NOT NULL
  ),
  b AS (
    SELECT v.s, v.kind, p.span, date_trunc(p.unit, v."createdAt") AS start,
      CASE WHEN ms < 32 THEN GREATEST(ms, 0) ELSE (floor(log(2.0, ms::numeric))::int - 4) * 16 + (ms >> (floor(log(2.0, ms::numeric))::int - 4)) END AS bin
    FROM v, (VALUES (1, 'hour'), (24, 'day')) AS p(span, unit)
  )
  INSERT INTO "LatencyHistogram" AS h ("kind", "span", "start", "bin", "count")
  SELECT b.kind, b.span, b.start, b.bin, SUM(b.s) FROM b GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT ("kind", "span", "start", "bin") DO UPDATE SET "count" = h."count" + excluded."count";
  -- Rows a delete or update emptied go (as the SQLite triggers do).
  IF EXISTS (SELECT 1 FROM unnest(d) AS x WHERE x.s < 0) THEN
    DELETE FROM "UsageHourly" WHERE "requests" = 0 AND ("hour", "provider", "model") IN
      (SELECT date_trunc('hour', x."createdAt"), x."provider", x."model" FROM unnest(d) AS x WHERE x.s < 0);
    DELETE FROM "LatencyHistogram" WHERE "count" = 0 AND "start" IN (
      SELECT date_trunc('hour', x."createdAt") FROM unnest(d) AS x WHERE x.s < 0
      UNION SELECT date_trunc('day', x."createdAt") FROM unnest(d) AS x WHERE x.s < 0);
  END IF;
END
$$;

CREATE FUNCTION "Request_rollup_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "Request_rollup_apply"(ARRAY(SELECT ROW(1, n."createdAt", n."provider", n."model", n."status", n."promptTokens",
    n."completionTokens", n."totalTokens", n."cachedTokens", n."costUsd", n."durationMs", n."ttftMs")::"RequestRollupDelta"
    FROM new_rows n));
  RETURN NULL;
END
$$;

CREATE FUNCTION "Request_rollup_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "Request_rollup_apply"(ARRAY(SELECT ROW(-1, o."createdAt", o."provider", o."model", o."status", o."promptTokens",
    o."completionTokens", o."totalTokens", o."cachedTokens", o."costUsd", o."durationMs", o."ttftMs")::"RequestRollupDelta"
    FROM old_rows o));
  RETURN NULL;
END
$$;

CREATE FUNCTION "Request_rollup_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "Request_rollup_apply"(ARRAY(
    SELECT ROW(1, n."createdAt", n."provider", n."model", n."status", n."promptTokens", n."completionTokens",
      n."totalTokens", n."cachedTokens", n."costUsd", n."durationMs", n."ttftMs")::"RequestRollupDelta" FROM new_rows n
    UNION ALL
    SELECT ROW(-1, o."createdAt", o."provider", o."model", o."status", o."promptTokens", o."completionTokens",
      o."totalTokens", o."cachedTokens", o."costUsd", o."durationMs", o."ttftMs")::"RequestRollupDelta" FROM old_rows o));
  RETURN NULL;
END
$$;

CREATE TRIGGER "Request_rollup_insert" AFTER INSERT ON "Request"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Request_rollup_insert"();
CREATE TRIGGER "Request_rollup_delete" AFTER DELETE ON "Request"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Request_rollup_delete"();
CREATE TRIGGER "Request_rollup_update" AFTER UPDATE ON "Request"
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Request_rollup_update"();
