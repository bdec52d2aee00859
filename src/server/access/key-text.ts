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

/** Whether a model name matches an allow-list pattern: `*` stands for any run of characters. */
export function modelMatches(pattern: string, model: string): boolean {
  if (!pattern.includes("*")) return pattern === model;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "s");
  return re.test(model);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An empty allow-list allows every model. */
export const modelAllowed = (patterns: readonly string[], model: string) =>
  patterns.length === 0 || patterns.some((p) => modelMatches(p, model));
