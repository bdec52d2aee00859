import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Every key starts with this; the admin key (CLAUDE_AUTH_KEY) is whatever the operator chose. */
export const KEY_PREFIX = "ccb-";

/** A new key: `ccb-` and 43 URL-safe random characters (256 bits). */
export const newKeyText = () => `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;

/** How much of a key stays visible in lists: `ccb-` and 8 characters. */
export const visiblePrefix = (key: string) => key.slice(0, KEY_PREFIX.length + 8);

/** The stored form: SHA-256 in hex (the keys carry 256 random bits, so no slow hash is needed). */
export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time comparison of two secrets of any length (compares their digests). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** A key id: `key_` and 16 hex characters (not secret). */
export const newKeyId = () => `key_${randomBytes(8).toString("hex")}`;

/**
 * Whether a model name matches an allow-list pattern: `*` stands for any run of characters. A glob
 * matcher without backtracking: the pattern's first piece must start the name, its last piece end it,
 * and each piece between is taken at its first place after the one before (the leftmost place is
 * always right, since `*` takes anything in between). So the work is bounded by the length of the
 * name times the pattern's, whatever either holds (a regular expression `.*:.*b` backtracks on a
 * long name of `:`).
 */
export function modelMatches(pattern: string, model: string): boolean {
  if (!pattern.includes("*")) return pattern === model;
  const pieces = pattern.split("*");
  const first = pieces[0] ?? "";
  const last = pieces[pieces.length - 1] ?? "";
  if (model.length < first.length + last.length || !model.startsWith(first) || !model.endsWith(last)) return false;
  let at = first.length;
  const end = model.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] ?? "";
    if (piece === "") continue;
    const found = model.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** An empty allow-list allows every model. */
export const modelAllowed = (patterns: readonly string[], model: string) =>
  patterns.length === 0 || patterns.some((p) => modelMatches(p, model));
