import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { expectError } from "../helpers/schema";

let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({ ALLOWED_HOSTS: "proxy.example" });
});
afterAll(async () => {
  await gw?.stop();
});

/** A raw HTTP request (fetch cannot set Host). */
function raw(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const url = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: opts.method ?? "GET", headers: opts.headers },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

const chatBody = JSON.stringify({ model: "ollama/nothing", messages: [{ role: "user", content: "hi" }] });
const json = { "content-type": "application/json" };

describe("requests a web page could send", () => {
  it("refuses another origin's page (403, recorded), on /v1, the playground and tRPC", async () => {
    for (const path of ["/v1/chat/completions", "/api/playground/chat"]) {
      const r = await raw(path, {
        method: "POST",
        headers: { ...json, origin: "http://evil.example" },
        body: chatBody,
      });
      expect(r.status, path).toBe(403);
      expectError(r.body);
      expect(r.body.error.code).toBe("cross_origin_forbidden");
      const rec = await eventually(() => gw.records().find((x) => x.id === r.headers["x-request-id"]));
      expect(rec).toMatchObject({ status: "error", httpStatus: 403 });
    }
    const t = await raw("/api/trpc/usage.summary", { headers: { origin: "null" } });
    expect(t.status).toBe(403);
    const m = await raw("/v1/models", { headers: { origin: "http://localhost:3000" } });
    expect(m.status).toBe(403);
  });

  it("serves its own origin and programs that send no Origin", async () => {
    const own = await raw("/v1/chat/completions", {
      method: "POST",
      headers: { ...json, origin: gw.url },
      body: chatBody,
    });
    // Past the check: Ollama (nothing listening here) is unreachable.
    expect([502, 503]).toContain(own.status);
    expect((await raw("/v1/models")).status).toBe(200);
  });

  it("while bound to loopback, refuses a foreign Host (DNS rebinding) but serves ALLOWED_HOSTS", async () => {
    const evil = await raw("/v1/models", { headers: { host: "evil.example:8080" } });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe("host_forbidden");
    expect(evil.body.error.message).toMatch(/ALLOWED_HOSTS/);
    const chat = await raw("/v1/chat/completions", {
      method: "POST",
      headers: { ...json, host: "rebound.example" },
      body: chatBody,
    });
    expect(chat.status).toBe(403);
    for (const host of ["proxy.example", "localhost:1234", "[::1]:80"]) {
      expect((await raw("/v1/models", { headers: { host } })).status, host).toBe(200);
    }
  });
});

describe("records of failed /v1 requests", () => {
  it("every failed /v1 request leaves exactly one record; a model listing leaves none", async () => {
    const before = gw.records().length;
    const cases = [
      { path: "/v1/nothing/here", method: "GET", status: 404 },
      { path: "/v1/models", method: "DELETE", status: 405 },
      { path: "/v1/usage?since=yesterday-ish", method: "GET", status: 400 },
    ];
    for (const k of cases) {
      const r = await raw(k.path, { method: k.method });
      expect(r.status, k.path).toBe(k.status);
      expectError(r.body);
    }
    await raw("/v1/models");
    const recs = await eventually(() => (gw.records().length >= before + cases.length ? gw.records() : null));
    expect(recs.slice(before).map((r) => r.httpStatus)).toEqual(cases.map((k) => k.status));
  });

  it("records the socket's address, not a client's own X-Forwarded-For", async () => {
    const r = await raw("/v1/chat/completions", {
      method: "POST",
      headers: { ...json, "x-forwarded-for": "6.6.6.6", "x-real-ip": "7.7.7.7" },
      body: "{not json",
    });
    expect(r.status).toBe(400);
    const rec = await eventually(() => gw.records().find((x) => x.id === r.headers["x-request-id"]));
    expect(rec.clientAddress).toMatch(/127\.0\.0\.1/);
  });
});
