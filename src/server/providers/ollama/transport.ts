/**
 * The fetch the `ollama` client is given. It tells apart the ways Ollama can fail, and keeps the
 * client from ever printing to stdout (it logs "Getting text from response" for non-JSON error
 * bodies and "invalid json" for bad stream lines, which would break the JSON-only log):
 * - no response at all (refused, DNS, reset before the headers) → OllamaUnreachable;
 * - an error status → OllamaHttpError, its body read here (short and clean, never a raw page);
 * - the body breaking after the response started → OllamaStreamBroken;
 * - a stream line that is not JSON → an `{"error"}` line, so the stream fails instead.
 */

export class OllamaUnreachable extends Error {
  override name = "OllamaUnreachable";
}
export class OllamaHttpError extends Error {
  override name = "OllamaHttpError";
  constructor(
    readonly status: number,
    message: string,
    /** Whether the body was Ollama's own `{"error": …}` JSON (not a proxy's page). */
    readonly fromOllama: boolean,
  ) {
    super(message);
  }
}
export class OllamaStreamBroken extends Error {
  override name = "OllamaStreamBroken";
}

const detailOf = (e: unknown): string => {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
};

/** The message of an error body: Ollama's `{"error"}`, a short plain-text line, or nothing. */
export function errorBodyMessage(text: string, contentType: string): { message: string | null; fromOllama: boolean } {
  try {
    const v = JSON.parse(text);
    if (v && typeof v.error === "string") return { message: v.error.slice(0, 500), fromOllama: true };
    if (v && typeof v.error?.message === "string") return { message: v.error.message.slice(0, 500), fromOllama: false };
  } catch {}
  const line = text.trim();
  if (!line || line.includes("\n") || line.length > 200 || /<[a-z!/]/i.test(line) || /html/i.test(contentType)) {
    return { message: null, fromOllama: false };
  }
  return { message: line, fromOllama: false };
}

function checkedLines(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = "";
  const check = (line: string): string => {
    if (!line.trim()) return "";
    try {
      JSON.parse(line);
      return `${line}\n`;
    } catch {
      return `${JSON.stringify({ error: `Ollama sent a stream line that is not JSON: ${line.slice(0, 80)}` })}\n`;
    }
  };
  return new ReadableStream<Uint8Array>({
    // Reads until at least one whole line can be passed on: a pull that enqueues nothing is never
    // called again, so returning after a read without a newline (a line in 3+ pieces, a long line)
    // would stall the request for good.
    async pull(controller) {
      for (;;) {
        let read: ReadableStreamReadResult<Uint8Array>;
        try {
          read = await reader.read();
        } catch (e) {
          controller.error(new OllamaStreamBroken(`Ollama's stream broke (${detailOf(e)}).`, { cause: e }));
          return;
        }
        if (read.done) {
          buffer += decoder.decode();
          const rest = check(buffer);
          buffer = "";
          if (rest) controller.enqueue(encoder.encode(rest));
          controller.close();
          return;
        }
        const text = decoder.decode(read.value, { stream: true });
        if (!text.includes("\n")) {
          buffer += text;
          continue;
        }
        buffer += text;
        const parts = buffer.split("\n");
        buffer = parts.pop() ?? "";
        const out = parts.map(check).join("");
        if (out) {
          controller.enqueue(encoder.encode(out));
          return;
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** fetch refuses URLs with user:password: send them as Basic auth instead. */
function withCredentials(
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
): [string | URL | Request, RequestInit] {
  if (typeof input !== "string" && !(input instanceof URL)) return [input, { ...init }];
  const url = new URL(input);
  if (!url.username && !url.password) return [input, { ...init }];
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString(
    "base64",
  );
  url.username = "";
  url.password = "";
  const headers = new Headers(init?.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Basic ${auth}`);
  return [url, { ...init, headers }];
}

/** A fetch for `new Ollama({ fetch })`, also aborted by `signal`. */
export function ollamaFetch(signal: AbortSignal): typeof fetch {
  return async (input, init) => {
    const s = init?.signal ? AbortSignal.any([init.signal, signal]) : signal;
    let res: Response;
    try {
      const [url, options] = withCredentials(input, init);
      res = await fetch(url, { ...options, signal: s });
    } catch (e) {
      if (s.aborted) throw e;
      throw new OllamaUnreachable(detailOf(e), { cause: e });
    }
    if (!res.ok) {
      const type = res.headers.get("content-type") ?? "";
      const text = await res.text().catch(() => "");
      const { message, fromOllama } = errorBodyMessage(text, type);
      throw new OllamaHttpError(
        res.status,
        message ?? `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`,
        fromOllama,
      );
    }
    // Only NDJSON streams (requests sent with stream:true) are checked line by line: a one-document
    // JSON answer (/api/tags, /api/version) may be pretty-printed over several lines.
    const streamed = typeof init?.body === "string" && /"stream":\s*true/.test(init.body);
    if (!res.body || !streamed) return res;
    return new Response(checkedLines(res.body), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
}
