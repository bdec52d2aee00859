import "server-only";
import { env } from "../../env";
import { badRequest } from "../../openai/errors";
import type { StoredResponseRow } from "../store";
import { replayStream } from "./replay";

/**
 * `GET /v1/responses/{id}?stream=true&starting_after=N`: a background response's events after N (all of
 * them without N), then live ones until it ends. Null when the query asks no stream (the JSON answer).
 */
export function replayOf(query: URLSearchParams, stored: StoredResponseRow): ReadableStream<Uint8Array> | null {
  const stream = query.get("stream");
  if (stream === null || stream === "false") return null;
  if (stream !== "true") throw badRequest("stream must be true or false.", "stream");
  const raw = query.get("starting_after");
  const after = raw === null || raw === "" ? -1 : Number(raw);
  if (!Number.isSafeInteger(after) || after < -1) {
    throw badRequest("starting_after must be a sequence number (an integer, 0 or more).", "starting_after");
  }
  if (!stored.background) {
    throw badRequest(
      "Only a background response (background: true) can be streamed again.",
      "stream",
      "not_background",
    );
  }
  return replayStream(stored.id, after, env().STREAM_PING_MS);
}
