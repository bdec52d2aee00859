import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { expectError, expectModel, expectModelList } from "../helpers/schema";

let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_MODELS: "sonnet,opus" });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

describe("GET /v1/models", () => {
  it("lists Claude models and the live Ollama models", async () => {
    const body = await (await fetch(`${gw.url}/v1/models`)).json();
    expectModelList(body);
    expect(body.data.map((m: { id: string }) => m.id)).toEqual([
      "claude-code",
      "sonnet",
      "opus",
      "ollama/llama3.2:latest",
      "ollama/qwen3:8b",
      "ollama/llava:7b",
    ]);
    const sdk = await gw.openai().models.list();
    expect(sdk.data.find((m) => m.id === "ollama/qwen3:8b")?.owned_by).toBe("ollama");
  });

  it("retrieves one model by id, slashes included; 404 otherwise", async () => {
    const m = await gw.openai().models.retrieve("ollama/qwen3:8b");
    expectModel(m);
    expect(m.id).toBe("ollama/qwen3:8b");
    const raw = await (await fetch(`${gw.url}/v1/models/ollama/qwen3:8b`)).json();
    expect(raw.id).toBe("ollama/qwen3:8b");
    expect((await gw.openai().models.retrieve("claude-code")).owned_by).toBe("claude-code");
    const e = await gw
      .openai()
      .models.retrieve("ollama/nope")
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.code).toBe("model_not_found");
    // a "%" in the id is decoded once: a 404 naming the id, not a 500
    for (const id of ["ollama/100%", "50%off", "a%zz"]) {
      const x = await gw
        .openai()
        .models.retrieve(id)
        .catch((y) => y);
      expect(x, id).toBeInstanceOf(OpenAI.NotFoundError);
      expect(x.message).toContain(`\`${id}\``);
    }
  });

  it("GET /v1 and /v1/ answer the JSON 404 of an unknown path", async () => {
    for (const p of ["/v1", "/v1/"]) {
      const res = await fetch(`${gw.url}${p}`);
      expect(res.status, p).toBe(404);
      const body = await res.json();
      expectError(body);
      expect(body.error.code).toBe("unknown_url");
    }
  });
});

describe("the Ollama model list", () => {
  it("gives up on a slow /api/tags (Claude models still listed), then caches for MODELS_CACHE_MS", async () => {
    const slow = await startFakeOllama();
    const g = await startGateway({ OLLAMA_URL: slow.url, MODELS_CACHE_MS: "600000" });
    const tags = () => slow.requests.filter((r) => r.path === "/api/tags").length;
    try {
      slow.tagsDelayMs = 15_000; // far past the list's short timeout
      const first = await g.openai().models.list();
      expect(first.data.map((m) => m.id)).toContain("claude-code");
      expect(first.data.some((m) => m.id.startsWith("ollama/"))).toBe(false);
      expect(tags()).toBe(1);
      slow.tagsDelayMs = 0;
      const second = await g.openai().models.list(); // a failure is not cached
      expect(second.data.map((m) => m.id)).toContain("ollama/qwen3:8b");
      expect(tags()).toBe(2);
      const third = await g.openai().models.list();
      expect(third.data.map((m) => m.id)).toEqual(second.data.map((m) => m.id));
      expect((await g.openai().models.retrieve("ollama/llava:7b")).id).toBe("ollama/llava:7b");
      expect(tags()).toBe(2); // cache hits
      expect(g.schema.failures).toEqual([]);
    } finally {
      await g.stop();
      await slow.close();
    }
  });
});

describe("GET /v1/usage", () => {
  it("groups records by model and provider, with since/until", async () => {
    const t0 = new Date(Date.now() - 1000).toISOString();
    fake.script = () => ({ chunks: ["ok"], promptEvalCount: 10, evalCount: 4 });
    const client = gw.openai();
    for (let i = 0; i < 3; i++) {
      await client.chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] });
    }
    await client.chat.completions.create({ model: "ollama/llava:7b", messages: [{ role: "user", content: "x" }] });
    await client.chat.completions
      .create({ model: "ollama/missing", messages: [{ role: "user", content: "x" }] })
      .catch(() => {});
    fake.script = () => undefined;
    await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", body: "{not json" });

    const res = await fetch(`${gw.url}/v1/usage?since=${encodeURIComponent(t0)}`);
    expect(res.status).toBe(200);
    // a bare JSON array of rows, as the Go cc_bridge documented
    const body = await res.json();
    expect(Array.isArray(body)).toBe(true);
    const row = (model: string) => body.find((r: { model: string }) => r.model === model);
    expect(row("ollama/qwen3:8b")).toMatchObject({
      provider: "ollama",
      requests: 3,
      errors: 0,
      prompt_tokens: 30,
      completion_tokens: 12,
      total_tokens: 42,
    });
    expect(row("ollama/qwen3:8b").avg_duration_ms).toBeGreaterThanOrEqual(0);
    expect(row("ollama/llava:7b")).toMatchObject({ requests: 1, total_tokens: 14 });
    expect(row("ollama/missing")).toMatchObject({ requests: 1, errors: 1, total_tokens: 0 });
    // a body that could not be parsed names no model: "unknown", never ""
    expect(row("unknown")).toMatchObject({ provider: "unknown", requests: 1, errors: 1 });
    expect(body.some((r: { model: string; provider: string }) => !r.model || !r.provider)).toBe(false);

    const future = Math.floor(Date.now() / 1000) + 3600;
    const empty = await (await fetch(`${gw.url}/v1/usage?since=${future}`)).json();
    expect(empty).toEqual([]);
    const past = await (await fetch(`${gw.url}/v1/usage?until=${encodeURIComponent(t0)}`)).json();
    expect(past.find((r: { model: string }) => r.model === "ollama/llava:7b")).toBeUndefined();

    const bad = await fetch(`${gw.url}/v1/usage?since=yesterday-ish`);
    expect(bad.status).toBe(400);
    const err = await bad.json();
    expectError(err);
    expect(err.error.param).toBe("since");
  });
});

describe("GET /health", () => {
  it("reports version, uptime, database, Claude binary and Ollama", async () => {
    // uptime is the process's, not counted from the first /health call (this one)
    await new Promise((r) => setTimeout(r, 2_000));
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    const h = await res.json();
    expect(h).toMatchObject({ status: "ok", database: { ok: true }, ollama: { reachable: true, version: "0.12.6" } });
    expect(typeof h.version).toBe("string");
    expect(h.uptime_s).toBeGreaterThanOrEqual(2);
    expect(h.claude).toHaveProperty("found");
    expect(h.claude).toHaveProperty("path");
  });

  it("shows no secrets: not the auth key, not the user:password of OLLAMA_URL", async () => {
    const withCreds = fake.url.replace("http://", "http://ollama-user:pa55-w0rd@");
    const locked = await startGateway({ OLLAMA_URL: withCreds, CLAUDE_AUTH_KEY: "k3y-never-shown" });
    try {
      const anon = await (await fetch(`${locked.url}/health`)).json();
      expect(anon.ollama.url).toBeUndefined(); // details are the admin's only
      const res = await fetch(`${locked.url}/health`, { headers: { authorization: "Bearer k3y-never-shown" } });
      const text = await res.text();
      expect(res.status).toBe(200);
      const h = JSON.parse(text);
      expect(h.auth).toBe("required");
      expect(h.ollama.url).toBe(fake.url);
      expect(h.ollama.reachable).toBe(true); // the credentials are used (Basic auth), only not shown
      expect(text).not.toContain("k3y-never-shown");
      expect(text).not.toContain("pa55-w0rd");
      expect(text).not.toContain("ollama-user");
      const before = fake.requests.length;
      const ok = await locked.openai({ apiKey: "k3y-never-shown" }).chat.completions.create({
        model: "ollama/qwen3:8b",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(ok.choices[0]?.message.content).toBe("Echo: hi");
      expect(fake.requests.length).toBeGreaterThan(before);
      expect(locked.stdout()).not.toContain("pa55-w0rd");
    } finally {
      await locked.stop();
    }
  });

  it("answers 503 when the database is unusable", async () => {
    const broken = await startGateway({ OLLAMA_URL: fake.url }, "/proc/cc-bridge-no-such-dir/usage.db");
    try {
      const res = await fetch(`${broken.url}/health`);
      expect(res.status).toBe(503);
      const h = await res.json();
      expect(h.database.ok).toBe(false);
    } finally {
      await broken.stop();
    }
  });
});

describe("auth with CLAUDE_AUTH_KEY", () => {
  it("requires the bearer key on every /v1 route and leaves /health open", async () => {
    const locked = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: "s3cret-key" });
    try {
      for (const [method, path] of [
        ["GET", "/v1/models"],
        ["GET", "/v1/models/claude-code"],
        ["GET", "/v1/usage"],
        ["POST", "/v1/chat/completions"],
        ["GET", "/v1/unknown"],
      ] as const) {
        const res = await fetch(`${locked.url}${path}`, { method, headers: { authorization: "Bearer wrong" } });
        expect(res.status, path).toBe(401);
        expectError(await res.json());
        const none = await fetch(`${locked.url}${path}`, { method });
        expect(none.status, path).toBe(401);
      }
      const e = await locked
        .openai({ apiKey: "wrong" })
        .models.list()
        .catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
      const ok = await locked.openai({ apiKey: "s3cret-key" }).chat.completions.create({
        model: "ollama/qwen3:8b",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(ok.choices[0]?.message.content).toBe("Echo: hi");
      expect((await fetch(`${locked.url}/health`)).status).toBe(200);
      const statuses = locked.records().map((r) => r.httpStatus);
      // Every refused /v1 request leaves its record: 5 routes × 2 tries, and the SDK's call.
      expect(statuses.filter((s) => s === 401)).toHaveLength(11);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    } finally {
      await locked.stop();
    }
  });

  it("is off without the key", async () => {
    expect((await fetch(`${gw.url}/v1/models`)).status).toBe(200);
  });
});

describe("console login", () => {
  it("is open without a key, and says so", async () => {
    const res = await fetch(`${gw.url}/dashboard`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Console open");
  });

  it("with a key: redirects to /login, rejects a wrong key, sets an httpOnly SameSite=Strict cookie, logs out", async () => {
    const locked = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: "console-key" });
    try {
      const anon = await fetch(`${locked.url}/dashboard`, { redirect: "manual" });
      expect(anon.status).toBe(307);
      expect(anon.headers.get("location")).toMatch(/\/login\?next=/);
      const login = (key: string) =>
        fetch(`${locked.url}/auth/login`, {
          method: "POST",
          body: new URLSearchParams({ key, next: "/dashboard" }),
          redirect: "manual",
        });
      const bad = await login("wrong");
      expect(bad.status).toBe(303);
      expect(bad.headers.get("location")).toMatch(/\/login\?error=1/);
      expect(bad.headers.get("set-cookie")).toBeNull();
      const good = await login("console-key");
      expect(good.headers.get("location")).toBe("/dashboard");
      const cookie = good.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).not.toContain("console-key");
      const pair = cookie.split(";")[0] ?? "";
      const page = await fetch(`${locked.url}/dashboard`, { headers: { cookie: pair }, redirect: "manual" });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Log out");
      const chat = (headers: Record<string, string>) =>
        fetch(`${locked.url}/api/playground/chat`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "hi" }] }),
        });
      expect((await chat({})).status).toBe(401);
      expect((await chat({ authorization: "Bearer console-key" })).status).toBe(401); // the playground takes the login only
      const played = await chat({ cookie: pair });
      expect(played.status).toBe(200);
      expect((await played.json()).choices[0].message.content).toBe("Echo: hi");
      const trpcAnon = await fetch(
        `${locked.url}/api/trpc/usage.summary?input=${encodeURIComponent(JSON.stringify({ json: { range: "24h" } }))}`,
      );
      expect(trpcAnon.status).toBe(401);
      const trpcIn = await fetch(
        `${locked.url}/api/trpc/usage.summary?input=${encodeURIComponent(JSON.stringify({ json: { range: "24h" } }))}`,
        {
          headers: { cookie: pair },
        },
      );
      expect(trpcIn.status).toBe(200);
      const forged = await fetch(`${locked.url}/dashboard`, {
        headers: { cookie: "ccb_console=forged" },
        redirect: "manual",
      });
      expect(forged.status).toBe(307);
      const out = await fetch(`${locked.url}/auth/logout`, {
        method: "POST",
        headers: { cookie: pair },
        redirect: "manual",
      });
      expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    } finally {
      await locked.stop();
    }
  });
});

describe("the database", () => {
  it("runs in WAL mode", async () => {
    await gw.openai().chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "w" }] });
    await eventually(() => gw.records().length > 0);
    expect(gw.query("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
  });
});

describe("the build check", () => {
  it("counts package.json among the build inputs (src/server/version.ts imports it)", async () => {
    const { buildInputs, root } = await import("../../scripts/lib.mjs");
    const inputs = (buildInputs() as string[]).map((f) => path.relative(root, f));
    expect(inputs).toContain("package.json");
    expect(inputs).toContain(path.join("src", "server", "version.ts"));
  });
});
