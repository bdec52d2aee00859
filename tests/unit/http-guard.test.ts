import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs module without types
import { guardRequest, onClientError } from "../../scripts/http-guard.mjs";

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (guardRequest(req, res)) return;
    res.end("app");
  });
  server.on("clientError", onClientError);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Sends raw bytes and returns the raw answer. */
const raw = (text: string) =>
  new Promise<string>((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => s.end(text));
    let out = "";
    s.on("data", (d) => {
      out += d;
    });
    s.on("end", () => resolve(out));
    s.on("error", reject);
  });

const parse = (answer: string) => {
  const [head, rest] = answer.split("\r\n\r\n");
  return { status: Number(head!.split(" ")[1]), head: head!, body: JSON.parse(rest!) };
};

describe("http guard", () => {
  it("answers Node's parser errors in OpenAI's error shape (400, 431)", async () => {
    const bad = parse(await raw("GET /v1/models HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n"));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { message: expect.any(String), type: "invalid_request_error", param: null, code: "invalid_http" },
    });
    const big = parse(await raw(`GET / HTTP/1.1\r\nHost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`));
    expect(big.status).toBe(431);
    expect(big.body.error.code).toBe("headers_too_large");
  });

  it("answers TRACE, CONNECT-like and unknown methods with 405 JSON", async () => {
    for (const method of ["TRACE", "PROPFIND"]) {
      const r = parse(await raw(`${method} /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      expect(r.status, method).toBe(405);
      expect(r.body.error.code).toBe("method_not_allowed");
      expect(r.head).toMatch(/x-request-id: req_/);
    }
  });

  it("answers paths with broken %-escapes with 400 JSON and lets good ones through", async () => {
    for (const path of ["/v1/models/%E0%A4%A", "/v1/chat/completions/%FF"]) {
      const r = parse(await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      expect(r.status, path).toBe(400);
      expect(r.body.error.code).toBe("invalid_url");
    }
    const ok = await raw("GET /v1/models/ollama%2Fqwen3%3A8b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(ok).toMatch(/\r\n\r\napp$/);
  });
});
