import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs module without types
import { loadDirectRoutes, serveDirect } from "../../scripts/direct-routes.mjs";
// @ts-expect-error plain .mjs module without types
import { CLIENT_ADDRESS_HEADER, setClientAddress } from "../../scripts/serve.mjs";

type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const seen: Request[] = [];
const events: string[] = [];
let release: (() => void) | null = null;

/** Route exports as a built route module has them; the server under test is the real dispatcher. */
const routes = new Map<string, Record<string, Handler>>([
  [
    "/echo",
    {
      POST: async (request) => {
        seen.push(request);
        const body = await request.text();
        const headers = new Headers({ "content-type": "application/json" });
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response(JSON.stringify({ body, url: request.url, method: request.method }), {
          status: 201,
          headers,
        });
      },
    },
  ],
  [
    "/stream",
    {
      GET: async (request) => {
        request.signal.addEventListener("abort", () => events.push("request aborted"));
        const enc = new TextEncoder();
        return new Response(
          new ReadableStream({
            async start(c) {
              c.enqueue(enc.encode("data: first\n\n"));
              await new Promise<void>((r) => {
                release = r;
              });
              c.enqueue(enc.encode("data: second\n\n"));
              c.close();
            },
            cancel: () => {
              events.push("stream cancelled");
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        );
      },
    },
  ],
  [
    "/limit",
    {
      POST: async (request) => {
        // Reads 10 bytes at most, then answers 413 without reading the rest (as readJsonBody does).
        const reader = request.body!.getReader();
        const { value } = await reader.read();
        await reader.cancel();
        return Response.json({ got: value?.byteLength ?? 0 }, { status: 413 });
      },
    },
  ],
  [
    "/upload",
    {
      POST: async (request) => {
        try {
          await request.text();
          events.push("upload read");
        } catch (e) {
          events.push(`upload failed: ${(e as Error).message}`);
        }
        return new Response("late");
      },
    },
  ],
  [
    "/slow",
    {
      GET: async (request) => {
        // Answers only after the client has left: its stream must still be cancelled.
        await new Promise<void>((r) => request.signal.addEventListener("abort", () => r()));
        return new Response(
          new ReadableStream({
            cancel: () => {
              events.push("slow answer cancelled");
            },
          }),
        );
      },
    },
  ],
  [
    "/throws",
    {
      GET: async () => {
        throw new Error("boom");
      },
    },
  ],
]);

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    setClientAddress(req);
    if (serveDirect(routes, req, res)) return;
    res.writeHead(404).end("next.js");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe("direct routes", () => {
  it("hands the handler a standard Request (method, URL, headers, body) and writes its Response back", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/echo?x=1`, {
      method: "POST",
      headers: { "x-test": "yes", [CLIENT_ADDRESS_HEADER]: "6.6.6.6" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toEqual({
      body: '{"hello":"world"}',
      url: `http://127.0.0.1:${port}/echo?x=1`,
      method: "POST",
    });
    const request = seen.at(-1)!;
    expect(request.headers.get("x-test")).toBe("yes");
    // The socket's address, never the value a client sent under the same name.
    expect(request.headers.get(CLIENT_ADDRESS_HEADER)).toBe("127.0.0.1");
  });

  it("leaves other paths and methods to the next handler", async () => {
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    const wrongMethod = await fetch(`http://127.0.0.1:${port}/echo`);
    expect(await wrongMethod.text()).toBe("next.js");
  });

  it("streams: the first chunk arrives before the handler ends the stream", async () => {
    release = null;
    const res = await fetch(`http://127.0.0.1:${port}/stream`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe("data: first\n\n");
    expect(release).not.toBeNull();
    (release as unknown as () => void)();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe("data: second\n\n");
  });

  it("a client that leaves mid-stream cancels the answer and aborts request.signal", async () => {
    events.length = 0;
    release = null;
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/stream`, { signal: controller.signal });
    await res.body!.getReader().read();
    controller.abort();
    await until(() => events.includes("stream cancelled") && events.includes("request aborted"));
    (release as (() => void) | null)?.();
  });

  it("an answer ready only after the client left is cancelled, not written", async () => {
    events.length = 0;
    const controller = new AbortController();
    const res = fetch(`http://127.0.0.1:${port}/slow`, { signal: controller.signal }).catch(() => null);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await res;
    await until(() => events.includes("slow answer cancelled"));
  });

  it("a handler that stops reading the body still answers (413)", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/limit`, { method: "POST", body: "x".repeat(2_000_000) });
    expect(res.status).toBe(413);
    expect((await res.json()).got).toBeGreaterThan(0);
  });

  it("a client that leaves while sending its body fails the body's read", async () => {
    events.length = 0;
    const s = net.connect(port, "127.0.0.1", () => {
      s.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial");
      setTimeout(() => s.destroy(), 50);
    });
    s.on("error", () => {});
    await until(() => events.some((e) => e.startsWith("upload failed")));
  });

  it("a handler that throws is a 500 in OpenAI's error shape", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/throws`);
    expect(res.status).toBe(500);
    expect((await res.json()).error.code).toBe("internal_error");
  });
});

describe("loadDirectRoutes", () => {
  it("loads a built route module's handlers and leaves out a path whose module is missing", async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), "direct-routes-"));
    const dir = path.join(dist, "server", "app", "v1", "ok");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "route.js"),
      "module.exports = { routeModule: { async ensureUserland() {}, userland: { GET: async () => new Response('ok') } } };",
    );
    const errors: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => errors.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      const loaded = await loadDirectRoutes(dist, ["/v1/ok", "/v1/missing"]);
      expect([...loaded.keys()]).toEqual(["/v1/ok"]);
      expect(typeof loaded.get("/v1/ok").GET).toBe("function");
    } finally {
      process.stderr.write = write;
      fs.rmSync(dist, { recursive: true, force: true });
    }
    expect(errors.join("")).toContain("/v1/missing");
  });
});
