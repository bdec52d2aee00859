/**
 * The fetch the `ollama` client is given. It tells apart the ways Ollama can fail, and keeps the
 * client from ever printing to stdout (it logs "Getting text from response" for non-JSON error
 * bodies and "invalid json" for bad stream lines, which would break the JSON-only log):
 * - no response at all (refused, DNS, reset before the headers) → OllamaUnreachable;
 * - an error status → OllamaHttpError, its body read here (short and clean, never a raw page);
 * - the body breaking after the response started → OllamaStreamBroken;
 * - a stream line that is not JSON → an `{"error"}` line, so the stream fails instead.
 */
import http from "node:http";
import https from "node:https";

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

/** The body as a stream of whole lines, each checked to be JSON (else an `{"error"}` line). */
function checkedLines(res: http.IncomingMessage): ReadableStream<Uint8Array> {
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
    // Pushed as the data comes, paused while the reader is behind. Only whole lines are passed on:
    // a line may come in any number of pieces.
    start(controller) {
      res.on("data", (chunk: Buffer) => {
        buffer += decoder.decode(chunk, { stream: true });
        const cut = buffer.lastIndexOf("\n");
        if (cut < 0) return;
        const out = buffer.slice(0, cut).split("\n").map(check).join("");
        buffer = buffer.slice(cut + 1);
        if (out) controller.enqueue(encoder.encode(out));
        if ((controller.desiredSize ?? 1) <= 0) res.pause();
      });
      let ended = false;
      res.on("end", () => {
        ended = true;
        const rest = check(buffer + decoder.decode());
        buffer = "";
        if (rest) controller.enqueue(encoder.encode(rest));
        controller.close();
      });
      res.on("error", (e) => controller.error(broken(e)));
      // A connection cut mid-body: no "end" (and maybe no "error").
      res.on("close", () => {
        if (!ended && !res.complete) controller.error(broken(new Error("the connection closed mid-stream")));
      });
    },
    pull() {
      res.resume();
    },
    cancel() {
      res.destroy();
    },
  });
}

const broken = (e: unknown) => new OllamaStreamBroken(`Ollama's stream broke (${detailOf(e)}).`, { cause: e });

/** How long an idle kept-open connection stays open (fetch's default too): a NAT or proxy between may drop it silently. */
export const IDLE_CONNECTION_MS = 4_000;

/** Connections to Ollama are kept open between requests (one pool per scheme, for the process). */
const agents = {
  "http:": new http.Agent({ keepAlive: true, scheduling: "lifo", timeout: IDLE_CONNECTION_MS }),
  "https:": new https.Agent({ keepAlive: true, scheduling: "lifo", timeout: IDLE_CONNECTION_MS }),
};

const readAll = (res: http.IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (d: string) => {
      text += d;
    });
    res.on("end", () => resolve(text));
    res.on("error", reject);
  });

/** Response headers as fetch's Headers (repeated headers joined, as fetch does). */
function headersOf(res: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  return h;
}

interface Exchange {
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | null;
  /** The run's signal. */
  signal: AbortSignal;
  /** The client's own signal, if it gave one. */
  own?: AbortSignal | null;
  /** Longest wait for a new connection (DNS and TCP), as fetch's 10 s. */
  connectTimeoutMs: number;
}

/**
 * One HTTP exchange over the kept-open connections; resolves at the response's headers. A request
 * sent on a reused connection that the server had just closed is sent once more on a new one (the
 * race Node's documentation describes for keep-alive clients); any other failure before the
 * headers, a connection not made within connectTimeoutMs included, is OllamaUnreachable.
 */
function exchange(url: URL, x: Exchange, retried = false): Promise<http.IncomingMessage> {
  const { signal, own } = x;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    if (own?.aborted) return reject(own.reason);
    const send = url.protocol === "https:" ? https.request : http.request;
    const agent = agents[url.protocol as keyof typeof agents];
    // URL credentials (http://user:pw@host) go as Basic auth (node:http does this from the URL).
    const req = send(url, { method: x.method, headers: x.headers, agent, signal });
    own?.addEventListener("abort", () => req.destroy(own.reason), { once: true });
    req.on("socket", (socket) => {
      if (!socket.connecting) return; // a kept-open connection
      const limit = x.connectTimeoutMs;
      const timer = setTimeout(() => req.destroy(new Error(`no connection within ${limit / 1000} s`)), limit);
      const clear = () => clearTimeout(timer);
      socket.once("connect", clear);
      socket.once("close", clear);
    });
    req.on("response", (res) => resolve(res));
    req.on("error", (e) => {
      if (signal.aborted) return reject(signal.reason);
      if (own?.aborted) return reject(own.reason);
      if (req.reusedSocket && !retried && (e as NodeJS.ErrnoException).code === "ECONNRESET") {
        return exchange(url, x, true).then(resolve, reject);
      }
      reject(new OllamaUnreachable(detailOf(e), { cause: e }));
    });
    req.end(x.body ?? undefined);
  });
}

function requestHeaders(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/**
 * A fetch for `new Ollama({ fetch })`, also aborted by `signal`: node:http with kept-open
 * connections (not the global fetch: it costs several times the CPU per request, see bench:gateway).
 */
export function ollamaFetch(signal: AbortSignal, { connectTimeoutMs = 10_000 } = {}): typeof fetch {
  return async (input, init) => {
    if (typeof input !== "string" && !(input instanceof URL)) throw new TypeError("ollamaFetch takes a URL");
    // The client's own signal ends the exchange too (listened to: AbortSignal.any costs more than
    // the rest of this function).
    const own = init?.signal;
    const body =
      typeof init?.body === "string" ? init.body : init?.body == null ? null : Buffer.from(String(init.body));
    const method = init?.method ?? "GET";
    const headers = requestHeaders(init);
    const res = await exchange(new URL(input), { method, headers, body, signal, own, connectTimeoutMs });
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      const type = String(res.headers["content-type"] ?? "");
      const text = await readAll(res).catch(() => "");
      const { message, fromOllama } = errorBodyMessage(text, type);
      throw new OllamaHttpError(
        status,
        message ?? `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""}`,
        fromOllama,
      );
    }
    // Only NDJSON streams (requests sent with stream:true) are checked line by line: a one-document
    // JSON answer (/api/tags, /api/version) may be pretty-printed over several lines.
    const streamed = typeof body === "string" && /"stream":\s*true/.test(body);
    const responseBody = streamed
      ? checkedLines(res)
      : await readAll(res).catch((e) => {
          throw signal.aborted ? signal.reason : own?.aborted ? own.reason : broken(e);
        });
    return new Response(responseBody, { status, statusText: res.statusMessage ?? "", headers: headersOf(res) });
  };
}
