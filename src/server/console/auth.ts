import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "../env";

export const CONSOLE_COOKIE = "ccb_console";

/** How long a console login lasts (the cookie's Max-Age and the expiry signed inside it). */
export const CONSOLE_LOGIN_MS = 7 * 24 * 3_600_000;

const sign = (key: string, payload: string) =>
  createHmac("sha256", key).update(`cc-bridge console v2|${payload}`).digest("base64url");

/**
 * The cookie value proving a login: `v2.<issued-at>.<expires-at>.<HMAC>` (times in Unix ms), signed
 * with the key, so the key itself never sits in a cookie and an old value stops working when it expires.
 */
export function consoleToken(key: string, now = Date.now(), ttlMs = CONSOLE_LOGIN_MS): string {
  const payload = `v2.${now}.${now + ttlMs}`;
  return `${payload}.${sign(key, payload)}`;
}

/** Whether a cookie value was signed with this key, is not tampered with, and has not expired. */
export function verifyConsoleToken(value: string, key: string, now = Date.now()): boolean {
  const m = /^(v2\.(\d{1,15})\.(\d{1,15}))\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return false;
  const [, payload = "", iat, exp, mac = ""] = m;
  const expected = Buffer.from(sign(key, payload));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const issued = Number(iat);
  const expires = Number(exp);
  // A login from the future (clock skew of over a minute) is as suspect as an expired one.
  return issued <= now + 60_000 && now < expires && expires - issued <= CONSOLE_LOGIN_MS;
}

/**
 * Where to go after a login: only console paths on this site ("/dashboard…"); anything else (an
 * absolute or protocol-relative URL, another path, backslashes) means "/dashboard".
 */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== "string" || raw.length > 2000) return "/dashboard";
  if (!/^\/dashboard(?:[/?#]|$)/.test(raw) || /[\\\s]/.test(raw) || raw.includes("//")) return "/dashboard";
  return raw;
}

/** Whether the console needs a login (CLAUDE_AUTH_KEY set). */
export const consoleLocked = () => Boolean(env().CLAUDE_AUTH_KEY);
