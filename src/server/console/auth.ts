import "server-only";
import { createHmac } from "node:crypto";
import { cookies } from "next/headers";
import { env } from "../env";
import { keyMatches } from "../openai/auth";

export const CONSOLE_COOKIE = "ccb_console";

/** The cookie value proving a login: an HMAC of the key, so the key itself never sits in a cookie. */
export function consoleToken(key: string): string {
  return createHmac("sha256", key).update("cc-bridge console v1").digest("base64url");
}

/** Whether the console needs a login (CLAUDE_AUTH_KEY set). */
export const consoleLocked = () => Boolean(env().CLAUDE_AUTH_KEY);

/** True when the console is open or the request carries a valid login cookie. */
export async function consoleAuthorized(): Promise<boolean> {
  const key = env().CLAUDE_AUTH_KEY;
  if (!key) return true;
  const value = (await cookies()).get(CONSOLE_COOKIE)?.value ?? "";
  return keyMatches(value, consoleToken(key));
}
