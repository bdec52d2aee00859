/** Server-sent events framing, done once: every event is one `data:` line of JSON. */
const encoder = new TextEncoder();

// JSON.stringify never emits a raw newline or carriage return, so one line is always one event.
export const sseEvent = (data: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);

export const SSE_DONE = encoder.encode("data: [DONE]\n\n");

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/** A named event (`event: <name>`), as the Responses API sends them; the name is one of our own constants. */
export const sseNamedEvent = (name: string, data: unknown): Uint8Array =>
  encoder.encode(`event: ${name.replace(/[\r\n]/g, "")}\ndata: ${JSON.stringify(data)}\n\n`);

/** A named event whose data is JSON text already (a logged event, JSON.stringify's output: one line). */
export const sseNamedJson = (name: string, json: string): Uint8Array =>
  encoder.encode(`event: ${name.replace(/[\r\n]/g, "")}\ndata: ${json.replace(/[\r\n]/g, "")}\n\n`);

/** An SSE comment line: a keep-alive every SSE parser ignores. */
export const SSE_PING = encoder.encode(": ping\n\n");
