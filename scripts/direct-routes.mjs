// The API's fixed-path endpoints served straight from their route handlers: the very handlers of
// src/app/v1/**/route.ts, as `next build` compiled them (the same module instances Next.js itself
// loads), called with a standard Request, their Response written back to the socket. Next.js's
// request handling around a route handler (its router, request adapters, tracing spans) costs more
// CPU than the whole gateway's own work on a request (bench/results.md, "Gateway overhead"), so the
// busiest paths skip it. Everything else (the console, tRPC, paths with parameters, methods a route
// does not export) goes to Next.js as before, and so does every path when a route module cannot be
// loaded this way (logged once at start).
import { createRequire } from "node:module";
import path from "node:path";
import { failInternal } from "./http-guard.mjs";

/**
 * The API paths served directly: every `src/app/v1/**​/route.ts` without a dynamic segment. The one
 * place to add a route: tests/integration/direct-routes-build.test.ts fails when a static /v1 route of
 * the build is missing here, or when a path here does not load from the build.
 */
export const DIRECT_PATHS = [
  "/v1",
  "/v1/chat/completions",
  "/v1/responses",
  "/v1/embeddings",
  "/v1/messages",
  "/v1/messages/count_tokens",
  "/v1/models",
  "/v1/usage",
  "/v1/usage/quota",
];

/**
 * Loads the built route modules of `paths` from `distDir` (`.next`). Returns path → the route's
 * exports (GET, POST, …). A path whose module is missing or not shaped as expected is left out.
 */
export async function loadDirectRoutes(distDir, paths = DIRECT_PATHS) {
  const require = createRequire(import.meta.url);
  const routes = new Map();
  const skipped = [];
  for (const p of paths) {
    try {
      const mod = require(path.join(distDir, "server", "app", p, "route.js"));
      const routeModule = mod.routeModule ?? mod.default?.routeModule;
      await routeModule?.ensureUserland?.();
      const userland = routeModule?.userland;
      if (!userland || !["GET", "POST"].some((m) => typeof userland[m] === "function")) throw new Error("no handlers");
      routes.set(p, userland);
    } catch (e) {
      skipped.push(`${p} (${String(e?.message ?? e).split("\n")[0]})`);
    }
  }
  if (skipped.length > 0) {
    process.stderr.write(
      `${JSON.stringify({ level: "warn", msg: "routes served through Next.js instead of directly", routes: skipped })}\n`,
    );
  }
  return routes;
}

/** The request's headers as fetch Headers (repeated ones appended, as they came). */
function headersOf(req) {
  const h = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    try {
      h.append(raw[i], raw[i + 1]);
    } catch {
      // A header value fetch refuses (Node's parser let it through): left out.
    }
  }
  return h;
}

/** The request body as a stream, read as the handler asks for it; an upload cut off is an error. */
function bodyOf(req) {
  let closed = false;
  return new ReadableStream({
    start(controller) {
      req.on("data", (chunk) => {
        if (closed) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (controller.desiredSize <= 0) req.pause();
      });
      req.on("end", () => {
        if (closed) return;
        closed = true;
        controller.close();
      });
      req.on("close", () => {
        if (closed || req.complete) return;
        closed = true;
        controller.error(new Error("the client closed the connection while sending the body"));
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      // The handler has read enough (e.g. a body over the limit): the rest is discarded.
      closed = true;
      req.resume();
    },
  });
}

function toRequest(req, signal) {
  let url;
  try {
    url = new URL(req.url, `http://${req.headers.host || "localhost"}`);
  } catch {
    url = new URL(req.url, "http://localhost");
  }
  const method = req.method;
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers: headersOf(req),
    signal,
    ...(hasBody ? { body: bodyOf(req), duplex: "half" } : {}),
  });
}

/** Resolves when the response can take more, or is closed. */
const drained = (res) =>
  new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });

/** Writes a fetch Response to a Node response, chunk by chunk (streams stay streams). */
async function writeResponse(response, req, res) {
  const headers = {};
  response.headers.forEach((v, k) => {
    if (k !== "set-cookie") headers[k] = v;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (res.destroyed) {
    // The client left before the answer was ready: nobody to write to.
    await response.body?.cancel().catch(() => {});
    return;
  }
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body || req.method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // The client gone: the answer's stream is cancelled (a run in flight ends, recorded as cancelled).
  const gone = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.on("close", gone);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) {
        await reader.cancel().catch(() => {});
        return;
      }
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } finally {
    res.off("close", gone);
  }
}

/**
 * A request listener's first step: serves the request directly when its path and method are one of
 * `routes`, and returns true; returns false (untouched) for everything else.
 */
export function serveDirect(routes, req, res) {
  const q = req.url.indexOf("?");
  const userland = routes.get(q < 0 ? req.url : req.url.slice(0, q));
  const handler = userland?.[req.method];
  if (typeof handler !== "function") return false;
  // Aborted when the client goes away before the answer is complete (request.signal, as in Next.js).
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  (async () => {
    const response = await handler(toRequest(req, controller.signal), { params: Promise.resolve({}) });
    await writeResponse(response, req, res);
  })().catch((err) => failInternal(res, err));
  return true;
}
