// What Next.js cannot answer in OpenAI's error shape, answered before it sees the request:
// - Node's HTTP parser errors (a malformed request, headers too large) → 400/431 JSON, then close;
// - methods Next.js refuses with a plain-text 500 (TRACE, CONNECT, anything unknown) → 405 JSON;
// - a path whose %-encoding is not valid UTF-8 (`/v1/models/%E0%A4%A`, `/v1/chat/completions/%FF`),
//   which Next.js's router fails on with a plain-text 500 → 400 JSON.
// Wire it into the HTTP server: `server.on("clientError", onClientError)` and, first thing in the
// request handler, `if (guardRequest(req, res)) return;`.
import { randomBytes } from "node:crypto";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

const body = (message, type, code) => JSON.stringify({ error: { message, type, param: null, code } });

function answer(req, res, status, message, code, headers = {}) {
  const text = body(message, status >= 500 ? "api_error" : "invalid_request_error", code);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-request-id": `req_${randomBytes(12).toString("hex")}`,
    ...headers,
  });
  res.end(req.method === "HEAD" ? undefined : text);
  if (process.env.LOG_REQUESTS !== "false") {
    console.log(
      JSON.stringify({
        level: "warn",
        msg: "request",
        time: new Date().toISOString(),
        method: String(req.method).slice(0, 20),
        path: String(req.url).slice(0, 200),
        status,
        error: message,
      }),
    );
  }
  return true;
}

/** Answers a request Next.js would answer outside the error shape; true when it did. */
export function guardRequest(req, res) {
  if (!METHODS.has(req.method)) {
    return answer(req, res, 405, `Method ${String(req.method).slice(0, 20)} is not supported.`, "method_not_allowed", {
      allow: [...METHODS].join(", "),
    });
  }
  const path = String(req.url ?? "/").split("?")[0];
  try {
    decodeURIComponent(path);
  } catch {
    return answer(req, res, 400, "The request path is not valid: a %-escape is malformed or not UTF-8.", "invalid_url");
  }
  return false;
}

/** A request handler that threw: 500 in OpenAI's error shape, or the connection cut if the answer had begun. */
export function failInternal(res, err) {
  console.error(err);
  if (res.headersSent) return res.destroy();
  res
    .writeHead(500, { "content-type": "application/json" })
    .end(body("Internal server error.", "api_error", "internal_error"));
}

/** For the server's "clientError" event: a parser error answered in JSON (no request to record). */
export function onClientError(err, socket) {
  if (err?.code === "ECONNRESET" || !socket.writable || err?.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    socket.destroy();
    return;
  }
  const tooLarge = err?.code === "HPE_HEADER_OVERFLOW";
  const status = tooLarge ? 431 : 400;
  const text = body(
    tooLarge ? "The request headers are too large." : "The request is not valid HTTP.",
    "invalid_request_error",
    tooLarge ? "headers_too_large" : "invalid_http",
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}
