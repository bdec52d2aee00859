// The HTTP server: the built Next.js app served in this very process (no `next start` child), so a
// signal to this process reaches the server, and the client's address is handed over explicitly.
// `npm start` (scripts/start.mjs) calls serve() after its set-up steps; `node scripts/serve.mjs`
// serves an already built app on an already migrated database (the tests do that).
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadDirectRoutes, serveDirect } from "./direct-routes.mjs";
import { failInternal, guardRequest, onClientError } from "./http-guard.mjs";
import { loadEnv, root } from "./lib.mjs";

/**
 * The header that carries the socket's address to the app (src/server/http/context.ts). Set on every
 * request from the socket itself, overwriting whatever a client sent under that name.
 */
export const CLIENT_ADDRESS_HEADER = "x-cc-bridge-client-address";

/** How long a stop waits for responses in flight (runs already end at once with 503) before it cuts them. */
export const STOP_GRACE_MS = 10_000;

/** Hands the socket's address to the app, replacing whatever a client sent under that header's name. */
export function setClientAddress(req) {
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i].toLowerCase() === CLIENT_ADDRESS_HEADER) raw.splice(i, 2);
  }
  const address = req.socket.remoteAddress ?? "";
  raw.push(CLIENT_ADDRESS_HEADER, address);
  req.headers[CLIENT_ADDRESS_HEADER] = address;
}

/**
 * The built app, ready to answer: Next.js's request handler, and the API paths served straight from
 * their route handlers (scripts/direct-routes.mjs; none when `directRoutes` is false). serve() listens
 * with these; tests/integration/direct-routes-build.test.ts loads the build through this same function.
 */
export async function loadApp({ port, host, directRoutes = true }) {
  process.env.NODE_ENV ??= "production";
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: root, hostname: host, port, quiet: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  // The API's fixed paths skip Next.js's request handling (scripts/direct-routes.mjs).
  const direct = directRoutes ? await loadDirectRoutes(path.join(root, ".next")) : new Map();
  return { app, handle, direct };
}

/**
 * Serves the built app on host:port. SIGTERM and SIGINT stop it: no new connections, runs in flight
 * end with 503 (src/server/chat/cancel.ts listens for the same signals), idle connections close,
 * then the process ends by the same signal (as a shell and a supervisor expect).
 */
export async function serve({ port, host, directRoutes = true }) {
  // The test helpers tell the gateway from the `claude` processes it starts by a title holding "next".
  process.title = "cc-bridge next-server";
  const { app, handle, direct } = await loadApp({ port, host, directRoutes });
  const server = http.createServer((req, res) => {
    // Parser errors, TRACE and broken %-escapes: answered in OpenAI's error shape (Next.js would not).
    if (guardRequest(req, res)) return;
    setClientAddress(req);
    if (serveDirect(direct, req, res)) return;
    handle(req, res).catch((err) => failInternal(res, err));
  });
  server.on("clientError", onClientError);
  const shown = host.includes(":") ? `[${host}]` : host;
  await new Promise((resolve) => {
    const failed = (err) => {
      const hint = err.code === "EADDRINUSE" ? ": another program uses that port; set PORT to a free one" : "";
      console.error(`cc-bridge: cannot listen on ${shown}:${port} (${err.code ?? err.message})${hint}`);
      process.exit(1);
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  console.log(JSON.stringify({ level: "info", msg: "listening", url: `http://${shown}:${port}` }));

  let stopping = null;
  const stop = (signal) => {
    // A terminal's Ctrl-C reaches this process twice (from the terminal and forwarded by npm): one stop.
    if (stopping) return stopping;
    stopping = (async () => {
      const closed = new Promise((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const grace = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
      await Promise.race([closed, grace]);
      // Background responses (issue 26) end with 503 too: their last events are written before the end.
      const background = [...(globalThis.__ccBridgeBackground?.runs.values() ?? [])].map((r) => r.done);
      await Promise.race([Promise.allSettled(background), grace]);
      clearInterval(idle);
      server.closeAllConnections();
      await app.close().catch(() => {});
      // What the app asked to finish before the process ends (tracing's queued spans), 2 s at most.
      const hooks = globalThis.__ccBridgeStopHooks ?? [];
      const bound = new Promise((resolve) => setTimeout(resolve, 2_000).unref());
      await Promise.race([Promise.allSettled(hooks.map((hook) => hook())), bound]);
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    })();
    return stopping;
  };
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => stop(signal));
  return { server, stop };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const env = await loadEnv();
  await serve({ port: env.PORT, host: env.HOST, directRoutes: env.DIRECT_ROUTES });
}
