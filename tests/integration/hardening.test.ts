// Issue 9: no record lost, model aliases, and the defects an adversarial probe found.
import fs from "node:fs";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { validatingFetch } from "../helpers/schema";

let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ["qwen3:8b"] });
  gw = await startGateway({
    OLLAMA_URL: fake.url,
    MODEL_ALIASES: "gpt-4o=claude-code,gpt-4o-mini=ollama/qwen3:8b",
  });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});
afterEach(() => {
  expect(gw.schema.failures).toEqual([]);
  fake.script = () => undefined;
});

/** A raw POST of a body given as text (so it can hold what JSON.stringify would never write). */
const postText = (text: string, headers: Record<string, string> = {}, g = gw) =>
  validatingFetch(g.schema)(`${g.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: text,
  });
const post = (body: unknown, headers: Record<string, string> = {}, g = gw) =>
  postText(JSON.stringify(body), headers, g);
const user = (content: string) => [{ role: "user" as const, content }];
const recordOf = (id: string | null, g = gw) => eventually(() => g.records().find((r) => r.id === id));
/** The record as it is now, running or not. */
const rowOf = (id: string | null, g = gw) => eventually(() => g.query("SELECT * FROM Request WHERE id = ?", id)[0]);

describe("records are written when a request starts", () => {
  it("shows a running record while a stream is in flight, completed once at the end (rollups count it once)", async () => {
    fake.script = () => ({ chunks: ["a", "b", "c", "d"], delayMs: 250 });
    const res = await post({ model: "ollama/qwen3:8b", messages: user("slow"), stream: true });
    const id = res.headers.get("x-request-id");
    const running = await rowOf(id);
    expect(running).toMatchObject({ status: "running", model: "ollama/qwen3:8b", provider: "ollama", stream: 1 });
    expect(gw.query("SELECT prompt FROM RequestContent WHERE requestId = ?", id)[0].prompt).toContain("slow");
    await res.text();
    const done = await recordOf(id);
    expect(done.status).toBe("ok");
    expect(done.completionTokens).toBe(4);
    const [{ n }] = gw.query("SELECT COUNT(*) AS n FROM Request");
    const [{ r }] = gw.query("SELECT SUM(requests) AS r FROM UsageHourly");
    expect(r).toBe(n);
  });

  it("a gateway killed mid-stream leaves the record, marked interrupted at the next start", async () => {
    const db = `${gw.dbPath}.kill.db`;
    fs.copyFileSync(gw.dbPath, db);
    const doomed = await startGateway({ OLLAMA_URL: fake.url }, db);
    try {
      fake.script = () => ({ chunks: ["a", "b", "c", "d", "e", "f"], delayMs: 400 });
      const res = await post({ model: "ollama/qwen3:8b", messages: user("doomed"), stream: true }, {}, doomed);
      const id = res.headers.get("x-request-id");
      expect(await rowOf(id, doomed)).toMatchObject({ status: "running" });
      doomed.kill("SIGKILL");
      await res.text().catch(() => "");
      const again = await startGateway({ OLLAMA_URL: fake.url }, db);
      try {
        expect(again.records().find((r) => r.id === id)).toMatchObject({
          status: "interrupted",
          errorCode: "gateway_stopped",
          model: "ollama/qwen3:8b",
          stream: 1,
        });
        const usage = await (await fetch(`${again.url}/v1/usage`)).json();
        expect(JSON.stringify(usage)).toContain("ollama/qwen3:8b");
      } finally {
        await again.stop();
      }
    } finally {
      await doomed.stop();
    }
  });
});

describe("database loss", () => {
  it("/health answers 503 while records cannot be written, and the queued records land when the file is back", async () => {
    const db = `${gw.dbPath}.gone.db`;
    fs.copyFileSync(gw.dbPath, db);
    const g = await startGateway({ OLLAMA_URL: fake.url }, db);
    try {
      expect((await fetch(`${g.url}/health`)).status).toBe(200);
      fs.renameSync(db, `${db}.away`);
      const res = await post({ model: "ollama/qwen3:8b", messages: user("while gone") }, {}, g);
      expect(res.status).toBe(200);
      const id = res.headers.get("x-request-id");
      const health = await fetch(`${g.url}/health`);
      expect(health.status).toBe(503);
      expect((await health.json()).database).toMatchObject({ ok: false, error: expect.stringMatching(/not writable/) });
      fs.renameSync(`${db}.away`, db);
      await recordOf(id, g);
      expect((await fetch(`${g.url}/health`)).status).toBe(200);
    } finally {
      await g.stop();
    }
  });

  it.skipIf(process.getuid?.() !== 0)(
    "an immutable database (chattr +i) does not wedge chats or sessions, and SIGTERM still stops the server",
    async () => {
      const db = `${gw.dbPath}.immutable.db`;
      fs.copyFileSync(gw.dbPath, db);
      const g = await startGateway({ OLLAMA_URL: fake.url, STORE_CONTENT: "true" }, db);
      const { execFileSync } = await import("node:child_process");
      const files = [db, `${db}-wal`].filter((f) => fs.existsSync(f));
      try {
        execFileSync("chattr", ["+i", ...files]);
      } catch {
        await g.stop();
        return; // no immutable files on this file system
      }
      try {
        const r = await post({ model: "ollama/qwen3:8b", messages: user("s1") }, { "x-session-id": "imm-1" }, g);
        // A session that cannot be claimed runs no turn: 503, and a retry later works.
        expect(r.status).toBe(503);
        expect((await r.json()).error.code).toBe("database_unavailable");
        expect((await fetch(`${g.url}/health`)).status).toBe(503);
      } finally {
        execFileSync("chattr", ["-i", ...files]);
      }
      const t = Date.now();
      const ok = await post({ model: "ollama/qwen3:8b", messages: user("s2") }, { "x-session-id": "imm-2" }, g);
      expect(ok.status).toBe(200);
      expect(Date.now() - t).toBeLessThan(5_000);
      await eventually(() => g.query("SELECT id FROM Session WHERE id = 'imm-2'").length > 0);
      const stopped = Date.now();
      await g.stop(); // SIGTERM, then SIGKILL after 5 s
      expect(Date.now() - stopped).toBeLessThan(4_000);
    },
  );
});

describe("Ollama stream framing", () => {
  it("a line that arrives in 3 pieces 50 ms apart, and a 150 KB message, still answer", async () => {
    fake.script = () => ({ chunks: ["one", " two"], splitLines: { pieces: 3, gapMs: 50 } });
    const a = await gw.openai().chat.completions.create({ model: "ollama/qwen3:8b", messages: user("x") });
    expect(a.choices[0]?.message.content).toBe("one two");
    const big = "y".repeat(150_000);
    fake.script = () => ({ chunks: [big] });
    const chunks: string[] = [];
    const s = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: user("x"), stream: true });
    for await (const c of s) chunks.push(c.choices[0]?.delta.content ?? "");
    expect(chunks.join("")).toBe(big);
  });
});

describe("bad input", () => {
  const errorOf = async (res: Response, status: number) => {
    expect(res.status).toBe(status);
    const body = await res.json();
    return { ...body.error, id: res.headers.get("x-request-id") };
  };

  it("a lone surrogate in content or in the model name is a 400 with a record", async () => {
    const cases = [
      '{"model":"ollama/qwen3:8b","messages":[{"role":"user","content":"x\\ud800y"}]}',
      '{"model":"ollama/qwen\\udc00","messages":[{"role":"user","content":"x"}]}',
    ];
    for (const text of cases) {
      const e = await errorOf(await postText(text), 400);
      expect(e.code).toBe("invalid_unicode");
      expect(await recordOf(e.id)).toMatchObject({ status: "error", httpStatus: 400 });
    }
    const e = await errorOf(await postText(cases[0]!, { "x-session-id": "surrogate-1" }), 400);
    expect(e.code).toBe("invalid_unicode");
  });

  it("a 1 MB model name is a 404 with a short message and a capped stored name", async () => {
    const e = await errorOf(await post({ model: `ollama/${"m".repeat(1 << 20)}`, messages: user("x") }), 404);
    expect(e.code).toBe("model_not_found");
    expect(e.message.length).toBeLessThan(300);
    const rec = await recordOf(e.id);
    expect(rec.model.length).toBeLessThanOrEqual(260);
    const m = await fetch(`${gw.url}/v1/models/${"n".repeat(10_000)}`);
    expect(m.status).toBe(404);
    expect((await m.text()).length).toBeLessThan(500);
  });

  it("JSON schemas and tool parameters nested 20,000 levels deep are a 400, not a stack overflow", async () => {
    const deep = `${'{"type":"object","properties":{"a":'.repeat(20_000)}{}${"}}".repeat(20_000)}`;
    const bodies = [
      `{"model":"ollama/qwen3:8b","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":${deep}}}}`,
      `{"model":"ollama/qwen3:8b","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]}`,
    ];
    for (const text of bodies) {
      const e = await errorOf(await postText(text), 400);
      expect(e.code).toBe("json_too_deep");
      expect(await recordOf(e.id)).toMatchObject({ httpStatus: 400 });
    }
  });

  it("OPTIONS is answered in OpenAI's shape and recorded", async () => {
    for (const path of ["/v1/models", "/v1/chat/completions", "/v1/nowhere"]) {
      const res = await fetch(`${gw.url}${path}`, { method: "OPTIONS" });
      const e = await errorOf(res, path === "/v1/nowhere" ? 404 : 405);
      expect(await recordOf(e.id)).toMatchObject({ status: "error", endpoint: path });
    }
  });

  it("a client that leaves while sending its body is recorded as cancelled (499), not a 500", async () => {
    const before = gw.records().length;
    const port = Number(new URL(gw.url).port);
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.write(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n" +
            '{"model":"ollama/qwen3:8b","messa',
        );
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 300);
      });
      s.on("error", reject);
    });
    const rec = await eventually(() =>
      gw
        .records()
        .slice(before)
        .find((r) => r.endpoint === "/v1/chat/completions"),
    );
    expect(rec).toMatchObject({ status: "cancelled", httpStatus: 499, errorType: "cancelled" });
    expect(gw.stdout()).not.toMatch(/unexpected error.*client disconnected|aborted.*stack/);
  });

  it("TRACE, broken %-escapes and requests Node's parser refuses are answered in OpenAI's shape", async () => {
    const port = Number(new URL(gw.url).port);
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
    const answers = [
      [405, "method_not_allowed", "TRACE /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"],
      [400, "invalid_url", "GET /v1/models/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"],
      [
        400,
        "invalid_url",
        "POST /v1/chat/completions/%FF HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
      ],
      [400, "invalid_http", "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nbad header\r\n\r\n"],
      [431, "headers_too_large", `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`],
    ] as const;
    for (const [status, code, text] of answers) {
      const out = await raw(text);
      const [head, body] = out.split("\r\n\r\n");
      expect(head, text.slice(0, 40)).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(body!)).toEqual({
        error: { message: expect.any(String), type: "invalid_request_error", param: null, code },
      });
    }
  });
});

describe("model aliases (MODEL_ALIASES)", () => {
  it("lists aliases and serves them, recording the name sent and the model used", async () => {
    const models = await gw.openai().models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-4o", "gpt-4o-mini"]));
    expect(models.data.find((m) => m.id === "gpt-4o-mini")?.owned_by).toBe("ollama");
    expect((await gw.openai().models.retrieve("gpt-4o-mini")).id).toBe("gpt-4o-mini");
    fake.script = () => ({ chunks: ["hi"] });
    const { data, response } = await gw
      .openai()
      .chat.completions.create({ model: "gpt-4o-mini", messages: user("x") })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("hi");
    expect(fake.chats().at(-1)?.model).toBe("qwen3:8b");
    const rec = await eventually(() =>
      gw.records().find((r) => r.id === response.headers.get("x-request-id") && r.status === "ok"),
    );
    expect(rec).toMatchObject({ model: "ollama/qwen3:8b", requestedModel: "gpt-4o-mini", provider: "ollama" });
  });
});
