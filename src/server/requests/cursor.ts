import "server-only";

/** A cursor the console sent back that this server did not make (or made for another list). */
export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`Invalid cursor "${cursor.slice(0, 80)}".`);
    this.name = "InvalidCursorError";
  }
}

/** Where a keyset page ends: the last row's time and id (rows are ordered by both, descending). */
export interface Keyset {
  at: Date;
  id: string;
}

/** An opaque cursor: base64url of "<ms>:<id>". */
export function encodeCursor(k: Keyset): string {
  return Buffer.from(`${k.at.getTime()}:${k.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | null | undefined): Keyset | null {
  if (cursor == null || cursor === "") return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^(-?\d{1,16}):(.+)$/s.exec(text);
  const at = m ? new Date(Number(m[1])) : null;
  if (!m || !at || Number.isNaN(at.getTime())) throw new InvalidCursorError(cursor);
  return { at, id: m[2] as string };
}

/** The page size: default 50, at most 200. */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return 50;
  return Math.min(200, Math.max(1, Math.trunc(limit)));
}

/** Keeps `limit` rows of `rows` (fetched with one extra) and the cursor to the next page, if any. */
export function page<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => Keyset,
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1] as T)) };
}
