import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ollamaError } from "./errors";
import { errorBodyMessage, IDLE_CONNECTION_MS, OllamaHttpError, OllamaUnreachable, ollamaFetch } from "./transport";
import { redactUrl } from "./url";

describe("redactUrl", () => {
  it("drops user:password and keeps the rest", () => {
    expect(redactUrl("http://u:p@host:11434")).toBe("http://host:11434");
    expect(redactUrl("https://u@host/ollama/")).toBe("https://host/ollama/");
    expect(redactUrl("http://localhost:11434")).toBe("http://localhost:11434");
  });
});

describe("errorBodyMessage", () => {
  it("keeps Ollama's {error}, a short plain line, and nothing of an HTML page", () => {
    expect(errorBodyMessage('{"error":"model \'x\' not found"}', "application/json")).toEqual({
      message: "model 'x' not found",
      fromOllama: true,
    });
    expect(errorBodyMessage("overloaded", "text/plain")).toEqual({ message: "overloaded", fromOllama: false });
    expect(errorBodyMessage("<html><body>502</body></html>", "text/html").message).toBeNull();
    expect(errorBodyMessage("x".repeat(500), "text/plain").message).toBeNull();
  });
});

describe("ollamaFetch", () => {
  let server: http.Server;
  let url = "";
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === "/reset") return req.socket.destroy();
      if (req.url === "/split") {
        // every line in 3 pieces, 20 ms apart, then a 150 KB line in one piece
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        const lines = ['{"n":1}\n', '{"n":2}\n', `{"big":"${"x".repeat(150_000)}"}\n`];
        const pieces = [...lines.slice(0, 2).flatMap((l) => [l.slice(0, 2), l.slice(2, 4), l.slice(4)]), lines[2]!];
        let i = 0;
        const next = () => (i < pieces.length ? res.write(pieces[i++]!, () => setTimeout(next, 20)) : res.end());
        return next();
      }
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sends URL credentials as Basic auth; an error page becomes a clean 502", async () => {
    const f = ollamaFetch(new AbortController().signal);
    const e = await f(url.replace("http://", "http://me:pw@")).catch((x) => x);
    expect(e).toBeInstanceOf(OllamaHttpError);
    expect(seen.at(-1)).toBe(`Basic ${Buffer.from("me:pw").toString("base64")}`);
    const api = ollamaError(e, "ollama/m", "http://me:pw@h:1");
    expect(api.status).toBe(502);
    expect(api.message).not.toMatch(/<html|pw/);
  });

  it("a connection closed before any response is unreachable (503)", async () => {
    const e = await ollamaFetch(new AbortController().signal)(`${url}/reset`).catch((x) => x);
    expect(e).toBeInstanceOf(OllamaUnreachable);
    expect(ollamaError(e, "ollama/m", url).status).toBe(503);
  });

  it("a connection that is never made is unreachable (503) after the connect timeout (as fetch did), not minutes later", async () => {
    // A listener that stops accepting (its process stopped): once its backlog is full, the kernel
    // drops further SYNs, so a new connection hangs, as behind a firewall that drops packets.
    const child = spawn(
      process.execPath,
      [
        "-e",
        'const s = require("net").createServer().listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => console.log(s.address().port))',
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const port = Number(await new Promise<string>((r) => child.stdout!.once("data", (d) => r(String(d).trim()))));
    process.kill(child.pid!, "SIGSTOP");
    const fillers: net.Socket[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const s = net.connect(port, "127.0.0.1");
        s.on("error", () => {});
        fillers.push(s);
        const made = await new Promise<boolean>((r) => {
          s.once("connect", () => r(true));
          setTimeout(() => r(false), 300);
        });
        if (!made) break;
      }
      const t0 = Date.now();
      const e = await ollamaFetch(new AbortController().signal, { connectTimeoutMs: 500 })(
        `http://127.0.0.1:${port}/api/chat`,
        { method: "POST", body: "{}" },
      ).catch((x) => x);
      expect(e).toBeInstanceOf(OllamaUnreachable);
      expect(e.message).toMatch(/no connection within 0.5 s/);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(ollamaError(e, "ollama/m", `http://127.0.0.1:${port}`).status).toBe(503);
    } finally {
      for (const s of fillers) s.destroy();
      child.kill("SIGKILL");
    }
  });

  it("keeps a connection open between requests, and closes it once idle for IDLE_CONNECTION_MS", async () => {
    const sockets = new Set<net.Socket>();
    const closed: net.Socket[] = [];
    const srv = http.createServer((_req, res) => res.end('{"version":"1"}'));
    srv.keepAliveTimeout = 60_000;
    srv.on("connection", (s: net.Socket) => {
      sockets.add(s);
      s.on("close", () => closed.push(s));
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const at = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/api/version`;
    try {
      const f = ollamaFetch(new AbortController().signal);
      expect(await (await f(at)).json()).toEqual({ version: "1" });
      expect(await (await f(at)).json()).toEqual({ version: "1" });
      expect(sockets.size).toBe(1);
      await new Promise((r) => setTimeout(r, IDLE_CONNECTION_MS + 1_000));
      expect(closed).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  }, 15_000);

  it("passes on lines that arrive in 3 or more reads and long lines (no stall)", async () => {
    const res = await ollamaFetch(new AbortController().signal)(`${url}/split`, {
      method: "POST",
      body: JSON.stringify({ stream: true }),
    });
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, 2)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(lines[2].big).toHaveLength(150_000);
  }, 5_000);
});
