import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, freePort, type Gateway, startGateway } from "../helpers/gateway";
import { expectError } from "../helpers/schema";

let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url, MAX_BODY_BYTES: "4096" });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

/** Runs `fn` and checks that it left exactly one more record, which it returns. */
async function oneRecord(fn: () => Promise<unknown>) {
  const before = gw.records().length;
  await fn();
  const after = await eventually(() => {
    const rows = gw.records();
    return rows.length > before ? rows : null;
  });
  await new Promise((r) => setTimeout(r, 150));
  expect(gw.records().length).toBe(before + 1);
  return after?.at(-1);
}

async function errorBody(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = await res.json();
  expectError(body);
  return body.error;
}

describe("errors are OpenAI error bodies with the right status, one record each", () => {
  it("malformed JSON → 400", async () => {
    const rec = await oneRecord(async () => {
      const err = await errorBody(await post("{not json"), 400);
      expect(err.type).toBe("invalid_request_error");
      expect(err.message).toMatch(/parse the JSON/);
    });
    expect(rec).toMatchObject({ status: "error", httpStatus: 400 });
  });

  it("an empty body → 400; every error response carries x-request-id, the id of its record", async () => {
    let id: string | null = null;
    const rec = await oneRecord(async () => {
      const res = await post("");
      id = res.headers.get("x-request-id");
      const err = await errorBody(res, 400);
      expect(err.type).toBe("invalid_request_error");
    });
    expect(id).toMatch(/^req_/);
    expect(rec).toMatchObject({ id, status: "error", httpStatus: 400 });
    for (const res of [
      await post("{bad"),
      await post(JSON.stringify({ model: "ollama/nope:1b", messages: [{ role: "user", content: "x" }] })),
      await fetch(`${gw.url}/v1/chat/completions`),
      await fetch(`${gw.url}/v1/nowhere`),
      await fetch(`${gw.url}/v1/models/ollama%2Fnone`),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get("x-request-id"), res.url).toMatch(/^req_/);
      expectError(await res.json());
    }
  });

  it("schema violations → 400 naming param", async () => {
    const cases: [unknown, string][] = [
      [{ messages: [{ role: "user", content: "x" }] }, "model"],
      [{ model: "ollama/qwen3:8b" }, "messages"],
      [{ model: "ollama/qwen3:8b", messages: [] }, "messages"],
      [{ model: "ollama/qwen3:8b", messages: [{ role: "wizard", content: "x" }] }, "messages[0].role"],
      [{ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }], temperature: 7 }, "temperature"],
      [{ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }], max_tokens: "many" }, "max_tokens"],
      [{ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }], n: 2 }, "n"],
      [{ model: "ollama/qwen3:8b", messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
      [
        {
          model: "ollama/llava:7b",
          messages: [
            { role: "user", content: [{ type: "image_url", image_url: { url: "http://example.com/a.png" } }] },
          ],
        },
        "messages[0].content[0].image_url.url",
      ],
    ];
    for (const [body, param] of cases) {
      const err = await errorBody(await post(JSON.stringify(body)), 400);
      expect(err.param, JSON.stringify(body)).toBe(param);
    }
    const err = await errorBody(await post("[1,2]"), 400);
    expect(err.message).toMatch(/JSON object/);
  });

  it("the SDK raises BadRequestError with the param", async () => {
    const e = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }], top_p: 3 })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.param).toBe("top_p");
  });

  it("unknown model → 404 model_not_found (also when Ollama says so)", async () => {
    for (const model of ["ollama/", "ollama/not-pulled:1b", "ollama/bad name"]) {
      const e = await gw
        .openai()
        .chat.completions.create({ model, messages: [{ role: "user", content: "x" }] })
        .catch((x) => x);
      expect(e, model).toBeInstanceOf(OpenAI.NotFoundError);
      expect(e.code).toBe("model_not_found");
    }
    const rec = await oneRecord(() =>
      gw
        .openai()
        .chat.completions.create({
          model: "ollama/not-pulled:1b",
          messages: [{ role: "user", content: "x" }],
          stream: true,
        })
        .catch((x) => x),
    );
    expect(rec).toMatchObject({ status: "error", httpStatus: 404, errorCode: "model_not_found", stream: 1 });
  });

  it("a Claude model without a usable binary → 503 naming CLAUDE_BIN; a flag as model name → 404, never run", async () => {
    const rec = await oneRecord(async () => {
      const e = await gw
        .openai()
        .chat.completions.create({ model: "claude-code", messages: [{ role: "user", content: "x" }] })
        .catch((x) => x);
      expect(e.status).toBe(503);
      expect(e.message).toMatch(/CLAUDE_BIN/);
    });
    expect(rec).toMatchObject({ provider: "claude-code", httpStatus: 503 });
    const bad = await gw
      .openai()
      .chat.completions.create({ model: "--dangerously-skip-permissions", messages: [{ role: "user", content: "x" }] })
      .catch((x) => x);
    expect(bad.status).toBe(404);
    expect(bad.code).toBe("model_not_found");
    expect(bad.param).toBe("model");
  });

  it("body over MAX_BODY_BYTES → 413 before parsing", async () => {
    const big = JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x".repeat(10_000) }] });
    const rec = await oneRecord(async () => {
      const err = await errorBody(await post(big), 413);
      expect(err.message).toMatch(/MAX_BODY_BYTES/);
    });
    expect(rec).toMatchObject({ httpStatus: 413 });
    // Without a content-length (chunked upload), the cap applies to the bytes read.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    await errorBody(res, 413);
  });

  it("wrong method → 405; unknown /v1 path → 404", async () => {
    const rec = await oneRecord(async () => {
      await errorBody(await fetch(`${gw.url}/v1/chat/completions`), 405);
    });
    expect(rec.httpStatus).toBe(405);
    await errorBody(await fetch(`${gw.url}/v1/models`, { method: "POST" }), 405);
    await errorBody(await fetch(`${gw.url}/v1/usage`, { method: "DELETE" }), 405);
    const err = await errorBody(await fetch(`${gw.url}/v1/audio/speech`, { method: "POST", body: "{}" }), 404);
    expect(err.message).toMatch(/audio\/speech/);
    await errorBody(await fetch(`${gw.url}/v1/a/b/c`), 404);
  });

  it("an Ollama error status → 502; a 400 from Ollama → 400", async () => {
    fake.script = () => ({ httpError: { status: 500, message: "llama runner process has terminated" } });
    const err = await errorBody(
      await post(JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })),
      502,
    );
    expect(err.message).toMatch(/llama runner/);
    fake.script = () => ({ httpError: { status: 400, message: "qwen3:8b does not support tools" } });
    const err2 = await errorBody(
      await post(JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })),
      400,
    );
    expect(err2.message).toMatch(/does not support tools/);
    fake.script = () => undefined;
  });

  it("a mid-stream Ollama error is sent as data: {error} and the SDK raises it; record says error", async () => {
    fake.script = () => ({ chunks: ["a", "b", "c"], midStreamError: { after: 2, message: "out of memory" } });
    const rec = await oneRecord(async () => {
      const stream = await gw.openai().chat.completions.create({
        model: "ollama/qwen3:8b",
        messages: [{ role: "user", content: "x" }],
        stream: true,
      });
      let text = "";
      const e = await (async () => {
        for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
      })().catch((x) => x);
      expect(text).toBe("ab");
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(String(e.message)).toMatch(/out of memory/);
    });
    expect(rec).toMatchObject({ status: "error", httpStatus: 502, stream: 1 });
    fake.script = () => ({ chunks: ["a"], midStreamError: { after: 0, message: "boom" } });
    const e = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.InternalServerError);
    expect(e.status).toBe(502);
    fake.script = () => undefined;
  });

  it("an error page that is not JSON → 502 with a short, clean message; nothing printed", async () => {
    const page = `<html><head><title>502 Bad Gateway</title></head><body>${"<p>nginx</p>".repeat(50)}</body></html>`;
    fake.script = () => ({ rawError: { status: 502, contentType: "text/html", body: page } });
    const before = gw.stdout().length;
    for (const stream of [false, true]) {
      const err = await errorBody(
        await post(JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }], stream })),
        502,
      );
      expect(err.message).toMatch(/Ollama answered 502/);
      expect(err.message).not.toMatch(/<|nginx/);
      expect(err.message.length).toBeLessThan(200);
    }
    // a plain-text error line is kept; a proxy's 404 page is no "model not found"
    fake.script = () => ({ rawError: { status: 503, contentType: "text/plain", body: "upstream overloaded" } });
    const err = await errorBody(
      await post(JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })),
      502,
    );
    expect(err.message).toMatch(/upstream overloaded/);
    fake.script = () => ({ rawError: { status: 404, contentType: "text/html", body: "<h1>Not Found</h1>" } });
    await errorBody(
      await post(JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })),
      502,
    );
    // a stream line that is not JSON fails the run instead of being printed and skipped
    fake.script = () => ({ chunks: ["a", "b"], rawLines: ["this is not json"] });
    const bad = await errorBody(
      await post(JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })),
      502,
    );
    expect(bad.message).toMatch(/not JSON/);
    fake.script = () => undefined;
    await new Promise((r) => setTimeout(r, 200));
    const printed = gw.stdout().slice(before);
    expect(printed).not.toMatch(/Getting text|invalid json|Failed to/);
    for (const line of printed.split("\n").filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it("a stream cut without its final line → 502", async () => {
    fake.script = () => ({ chunks: ["a"], truncate: true });
    const e = await gw
      .openai()
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })
      .catch((x) => x);
    expect(e.status).toBe(502);
    fake.script = () => undefined;
  });

  it("a bad X-Session-ID → 400", async () => {
    const err = await errorBody(
      await post(JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] }), {
        "x-session-id": "bad id with spaces",
      }),
      400,
    );
    expect(err.param).toBe("X-Session-ID");
  });
});

describe("Ollama unreachable", () => {
  it("answers 503 naming OLLAMA_URL and still lists Claude models", async () => {
    const closedPort = await freePort();
    const down = await startGateway({ OLLAMA_URL: `http://127.0.0.1:${closedPort}` });
    try {
      const e = await down
        .openai()
        .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })
        .catch((x) => x);
      expect(e.status).toBe(503);
      expect(e.message).toContain(`OLLAMA_URL=http://127.0.0.1:${closedPort}`);
      expect(e.message).toMatch(/ECONNREFUSED/);
      const models = await down.openai().models.list();
      expect(models.data.map((m) => m.id)).toContain("claude-code");
      expect(models.data.some((m) => m.id.startsWith("ollama/"))).toBe(false);
      const rec = down.records().at(-1);
      expect(rec).toMatchObject({ status: "error", httpStatus: 503, provider: "ollama" });
    } finally {
      await down.stop();
    }
  });
});

describe("the request log", () => {
  it("writes one JSON line per request on stdout with its id (= x-request-id), status and path", async () => {
    const before = gw.stdout().length;
    const calls: [string, RequestInit | undefined, string][] = [
      [
        "/v1/chat/completions",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] }),
        },
        "/v1/chat/completions",
      ],
      ["/v1/chat/completions", { method: "POST", body: "{bad" }, "/v1/chat/completions"],
      ["/v1/models", undefined, "/v1/models"],
      ["/v1/nowhere", undefined, "/v1/nowhere"],
      ["/health", undefined, "/health"],
    ];
    const seen: { id: string; status: number; path: string }[] = [];
    for (const [path, init, logged] of calls) {
      const res = await fetch(`${gw.url}${path}`, init);
      await res.arrayBuffer();
      seen.push({ id: res.headers.get("x-request-id") ?? "", status: res.status, path: logged });
    }
    await new Promise((r) => setTimeout(r, 300));
    const printed = gw.stdout().slice(before).split("\n").filter(Boolean);
    const lines = printed.map((l) => JSON.parse(l)); // stdout is JSON only
    for (const s of seen) {
      expect(s.id).toMatch(/^req_/);
      const mine = lines.filter((l) => l.id === s.id);
      expect(mine, s.path).toHaveLength(1);
      // chat lines are the record ("chat.completion": status ok/error/cancelled plus httpStatus)
      const line = mine[0];
      expect(line.path).toBe(s.path);
      expect(typeof line.status === "number" ? line.status : line.httpStatus).toBe(s.status);
      expect(["request", "chat.completion"]).toContain(line.msg);
    }
    expect(lines.filter((l) => l.id)).toHaveLength(seen.length);
  });
});

describe("OLLAMA_TIMEOUT_MS", () => {
  it("ends a run that takes longer with 504, recorded as an error", async () => {
    const slow = await startFakeOllama();
    slow.script = () => ({ chunks: ["late"], delayMs: 8_000 });
    const short = await startGateway({ OLLAMA_URL: slow.url, OLLAMA_TIMEOUT_MS: "1000" });
    try {
      const e = await short
        .openai()
        .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })
        .catch((x) => x);
      expect(e.status).toBe(504);
      expect(e.message).toMatch(/OLLAMA_TIMEOUT_MS/);
      expect(short.schema.failures).toEqual([]);
      const rec = await eventually(() => short.records().at(-1));
      expect(rec).toMatchObject({ status: "error", httpStatus: 504, provider: "ollama" });
      await eventually(() => slow.aborted === 1, 10_000);
    } finally {
      await short.stop();
      await slow.close();
    }
  });
});
