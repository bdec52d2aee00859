import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { dialect } from "./db";

// The few places where raw SQL differs between SQLite and PostgreSQL. Everything else in the raw
// queries is written once for both: quoted identifiers ("createdAt" folds to createdat unquoted in
// PostgreSQL), CASE instead of boolean arithmetic, `1 = 0` instead of `0` as a condition.
// Times: SQLite stores DateTime as Unix milliseconds (the adapter's unixepoch-ms); PostgreSQL as
// timestamp(3) in UTC. Queries compute in Unix milliseconds on both.

/** A DateTime column (or an expression of one) as Unix milliseconds. */
export function msOf(col: string): Prisma.Sql {
  return Prisma.raw(dialect() === "postgres" ? `(EXTRACT(EPOCH FROM ${col}) * 1000)::bigint` : col);
}

/** PostgreSQL's timestamp range is 4713 BC to 294276 AD: "from the beginning" (−8.64e15 ms) is clamped in. */
const PG_MIN_MS = -2e14;
const PG_MAX_MS = 9e15;

/** Unix milliseconds as a value to compare a DateTime column with (keeps the column's index usable). */
export function atMs(ms: number): Prisma.Sql {
  if (dialect() !== "postgres") return Prisma.sql`${ms}`;
  const v = Math.min(PG_MAX_MS, Math.max(PG_MIN_MS, ms));
  return Prisma.sql`(TIMESTAMP 'epoch' + ${v}::float8 * INTERVAL '1 millisecond')`;
}
