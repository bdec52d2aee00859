import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "./errors";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time check of a presented key against the configured one. */
export function keyMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** With a key configured, requires `Authorization: Bearer <key>`; throws a 401 ApiError otherwise. */
export function authorize(headers: Headers, expected: string | undefined): void {
  if (!expected) return;
  const header = headers.get("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) {
    throw new ApiError(401, "You didn't provide an API key. Send it as `Authorization: Bearer <key>`.", {
      code: "missing_api_key",
    });
  }
  if (!keyMatches(match[1] ?? "", expected)) {
    throw new ApiError(401, "Incorrect API key provided.", { code: "invalid_api_key" });
  }
}
