import Database from "better-sqlite3";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { expectError } from "../helpers/schema";
import { ADMIN, admin, chat, createKey } from "./keys-client";

let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: ADMIN });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

const chatsSoFar = () => fake.chats().length;

describe("a key's models", () => {
  it("allows only the models its patterns match (403 model_not_allowed, before any upstream call)", async () => {
    const k = await createKey(gw, { name: "qwen only", allowed_models: ["ollama/qwen3*"] });
    const client = gw.openai({ apiKey: k.key });
    const ok = await client.chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(ok.choices[0]?.message.content).toBe("Echo: hi");
    const before = chatsSoFar();
    const refused = await client.chat.completions
      .create({ model: "ollama/llama3.2", messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(refused.status).toBe(403);
    expect(refused.code).toBe("model_not_allowed");
    const claude = await chat(gw, k.key, "claude-code");
    expect(claude.status).toBe(403);
    expectError(claude.body);
    expect(chatsSoFar()).toBe(before);
    const rec = await eventually(() => gw.records().find((r) => r.id === claude.headers.get("x-request-id")));
    expect(rec).toMatchObject({ keyId: k.id, httpStatus: 403, errorCode: "model_not_allowed" });
  });

  it("lists only its models in /v1/models; another model is 404 there", async () => {
    const k = await createKey(gw, { name: "lister", allowed_models: ["ollama/llama3.2:latest", "claude-code"] });
    const ids = (await gw.openai({ apiKey: k.key }).models.list()).data.map((m) => m.id).sort();
    expect(ids).toEqual(["claude-code", "ollama/llama3.2:latest"]);
    const all = (await gw.openai({ apiKey: ADMIN }).models.list()).data.map((m) => m.id);
    expect(all).toContain("ollama/qwen3:8b");
    const hidden = await fetch(`${gw.url}/v1/models/ollama/qwen3:8b`, {
      headers: { authorization: `Bearer ${k.key}` },
    });
    expect(hidden.status).toBe(404);
    const shown = await fetch(`${gw.url}/v1/models/claude-code`, { headers: { authorization: `Bearer ${k.key}` } });
    expect(shown.status).toBe(200);
  });
});

describe("rate limits", () => {
  it("rpm: of 8 concurrent requests exactly rpm_limit go through; the rest get 429 with Retry-After", async () => {
    const k = await createKey(gw, { name: "rpm", rpm_limit: 3 });
    const before = chatsSoFar();
    const results = await Promise.all(Array.from({ length: 8 }, () => chat(gw, k.key)));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(3);
    expect(limited).toHaveLength(5);
    expect(chatsSoFar() - before).toBe(3);
    for (const r of limited) {
      expectError(r.body);
      expect(r.body.error.code).toBe("rate_limit_exceeded");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      expect(r.headers.get("x-ratelimit-limit-requests")).toBe("3");
      expect(r.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    }
    expect(ok.map((r) => r.headers.get("x-ratelimit-remaining-requests")).sort()).toEqual(["0", "1", "2"]);
    // the SDK raises its rate-limit error class
    const e = await gw
      .openai({ apiKey: k.key })
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("tpm: once a minute's records reach tpm_limit, 429 rate_limit_exceeded with the -tokens headers", async () => {
    const k = await createKey(gw, { name: "tpm", tpm_limit: 50 });
    fake.script = () => ({ chunks: ["a"], promptEvalCount: 40, evalCount: 20 });
    try {
      const first = await chat(gw, k.key);
      expect(first.status).toBe(200);
      expect(first.headers.get("x-ratelimit-limit-tokens")).toBe("50");
      expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe("50");
      const second = await chat(gw, k.key);
      expect(second.status).toBe(429);
      expect(second.body.error.code).toBe("rate_limit_exceeded");
      expect(second.headers.get("x-ratelimit-remaining-tokens")).toBe("0");
      expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      fake.script = () => undefined;
    }
  });
});

describe("budgets", () => {
  it("max_budget_tokens counts streams too; over it: 429 insufficient_quota", async () => {
    const k = await createKey(gw, { name: "tokens", max_budget_tokens: 100, budget_duration: "1d" });
    fake.script = () => ({ chunks: ["a", "b"], promptEvalCount: 40, evalCount: 20 });
    try {
      expect((await chat(gw, k.key, undefined, { stream: true })).status).toBe(200);
      expect((await chat(gw, k.key)).status).toBe(200);
      const over = await chat(gw, k.key, undefined, { stream: true });
      expect(over.status).toBe(429);
      expectError(over.body);
      expect(over.body.error).toMatchObject({ code: "insufficient_quota", type: "insufficient_quota" });
      const e = await gw
        .openai({ apiKey: k.key })
        .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })
        .catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.RateLimitError);
      expect(e.code).toBe("insufficient_quota");
      const view = await admin(gw, "GET", `/admin/keys/${k.id}`);
      expect(view.body.usage.total_tokens).toBe(120);
    } finally {
      fake.script = () => undefined;
    }
  });

  it("max_budget_usd counts the cost of the key's records (here one written by another instance)", async () => {
    const k = await createKey(gw, { name: "dollars", max_budget_usd: 0.5 });
    expect((await chat(gw, k.key)).status).toBe(200);
    const db = new Database(gw.dbPath);
    db.prepare(
      `INSERT INTO Request (id, createdAt, model, provider, status, httpStatus, costUsd, keyId, totalTokens)
       VALUES ('req_elsewhere', ?, 'claude-code', 'claude-code', 'error', 502, 0.75, ?, 10)`,
    ).run(Date.now(), k.id);
    db.close();
    const over = await chat(gw, k.key);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe("insufficient_quota");
  });

  it("a burst near the limit overshoots by at most the requests already in flight", async () => {
    const k = await createKey(gw, { name: "burst", max_budget_tokens: 1 });
    fake.script = () => ({ chunks: ["a", "b", "c"], delayMs: 150, promptEvalCount: 5, evalCount: 3 });
    try {
      // 5 requests start before any has finished: none is refused, the budget is overshot by their usage
      const burst = await Promise.all(Array.from({ length: 5 }, () => chat(gw, k.key)));
      expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      // once they are recorded, the next one is refused
      const next = await chat(gw, k.key);
      expect(next.status).toBe(429);
      expect(next.body.error.code).toBe("insufficient_quota");
      const view = await admin(gw, "GET", `/admin/keys/${k.id}`);
      expect(view.body.usage.total_tokens).toBe(5 * 8);
    } finally {
      fake.script = () => undefined;
    }
  });
});

describe("attribution", () => {
  it("records carry the key; /v1/usage?key_id= filters; a key sees only its own usage", async () => {
    const a = await createKey(gw, { name: "team a" });
    const b = await createKey(gw, { name: "team b" });
    await chat(gw, a.key);
    await chat(gw, a.key, "ollama/llama3.2");
    await chat(gw, b.key);
    const usage = async (q: string, key: string) => {
      const res = await fetch(`${gw.url}/v1/usage${q}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, body: (await res.json()) as any };
    };
    const forA = await usage(`?key_id=${a.id}`, ADMIN);
    expect(Array.isArray(forA.body)).toBe(true);
    expect(forA.body.map((r: any) => [r.model, r.requests]).sort()).toEqual([
      ["ollama/llama3.2", 1],
      ["ollama/qwen3:8b", 1],
    ]);
    const own = await usage("", b.key);
    expect(own.body.map((r: any) => [r.model, r.requests])).toEqual([["ollama/qwen3:8b", 1]]);
    expect((await usage(`?key_id=${b.id}`, b.key)).status).toBe(200);
    const other = await usage(`?key_id=${a.id}`, b.key);
    expect(other.status).toBe(403);
    expectError(other.body);
    const all = await usage("", ADMIN);
    expect(all.body.reduce((n: number, r: any) => n + r.requests, 0)).toBeGreaterThan(3);
    const future = await usage(`?key_id=${a.id}&since=${Math.floor(Date.now() / 1000) + 3600}`, ADMIN);
    expect(future.body).toEqual([]);
    const recs = gw.records().filter((r) => r.keyId === a.id);
    expect(recs).toHaveLength(2);
  });

  it("a session carries the key that started it; another key cannot continue it", async () => {
    const a = await createKey(gw, { name: "sess a" });
    const b = await createKey(gw, { name: "sess b" });
    const headers = { "x-session-id": "keyed-session-1" };
    expect((await chat(gw, a.key, undefined, { headers })).status).toBe(200);
    expect(gw.query(`SELECT keyId FROM Session WHERE id = 'keyed-session-1'`)[0]).toEqual({ keyId: a.id });
    expect((await chat(gw, a.key, undefined, { headers })).status).toBe(200);
    const stolen = await chat(gw, b.key, undefined, { headers });
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.code).toBe("session_forbidden");
    expect((await chat(gw, ADMIN, undefined, { headers })).status).toBe(200);
  });
});
