import { badRequest } from "../openai/errors";

const SESSION_ID = /^[\w.:@-]{1,128}$/;

/** The client's X-Session-ID, checked: null when absent, a 400 when it is not 1-128 safe characters. */
export function checkSessionId(raw: string | null): string | null {
  if (raw == null || raw === "") return null;
  if (!SESSION_ID.test(raw)) {
    throw badRequest(
      "X-Session-ID must be 1-128 characters of letters, digits and . _ : @ -",
      "X-Session-ID",
      "invalid_session_id",
    );
  }
  return raw;
}
