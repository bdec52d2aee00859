/**
 * /v1/models in both shapes (OpenAI's; Anthropic's for a request carrying `anthropic-version`) with the
 * context windows Ollama's /api/show states, Claude Code's start probe (`HEAD /api/hello`), and
 * MODEL_ALIASES patterns routing a model to Ollama. Clients: the `openai` and `@anthropic-ai/sdk` SDKs
 * and the real `claude` CLI; only Ollama is faked.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { anthropicClient } from "../helpers/anthropic";
import { CLAUDE_BIN } from "../helpers/claude";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { ADMIN, createKey } from "./keys-client";

let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama({ models: ["qwen3:8b", "qwen3:4b", "llama3.2:latest"] });
  fake.show["qwen3:8b"] = { arch: "qwen3", contextLength: 40960, numCtx: 16384 };
  fake.show["qwen3:4b"] = { arch: "qwen3", contextLength: 40960 };
  // llama3.2:latest: the fake's default, `llama.context_length` 131072
  gw = await startGateway({
    OLLAMA_URL: fake.url,
    CLAUDE_AUTH_KEY: ADMIN,
    CLAUDE_MODELS: "sonnet",
    // Every list asks /api/tags (the fake is fast): models added by a test show up at once.
    MODELS_CACHE_MS: "0",
    MODEL_ALIASES: "gpt-4o-mini=ollama/qwen3:8b,claude-haiku-*=ollama/qwen3:4b,claude-haiku-4-5-pinned=claude-code",
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

const anthropic = (key = ADMIN) => anthropicClient(gw, key);
const get = (p: string, headers: Record<string, string> = {}, key = ADMIN) =>
  fetch(`${gw.url}${p}`, { headers: { authorization: `Bearer ${key}`, ...headers } });
const AV = { "anthropic-version": "2023-06-01" };
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const byId = (list: any[]) => new Map(list.map((m) => [m.id, m]));

describe("GET /v1/models in OpenAI's shape (no anthropic-version)", () => {
  it("says the context window Ollama states as max_input_tokens; aliases as their model; patterns not listed", async () => {
    const list = await gw.openai({ apiKey: ADMIN }).models.list();
    expect(list.data.map((m) => m.id)).toEqual([
      "claude-code",
      "sonnet",
      "ollama/qwen3:8b",
      "ollama/qwen3:4b",
      "ollama/llama3.2:latest",
      "gpt-4o-mini",
      "claude-haiku-4-5-pinned",
    ]);
    const raw = (await (await get("/v1/models")).json()) as any;
    expect(raw.object).toBe("list");
    const m = byId(raw.data);
    expect(m.get("ollama/qwen3:8b")).toEqual({
      id: "ollama/qwen3:8b",
      object: "model",
      created: Date.parse("2026-10-01T12:00:00Z") / 1000,
      owned_by: "ollama",
      max_input_tokens: 16384, // its num_ctx, under the model's 40960
    });
    expect(m.get("ollama/qwen3:4b").max_input_tokens).toBe(40960);
    expect(m.get("ollama/llama3.2:latest").max_input_tokens).toBe(131072);
    expect(m.get("gpt-4o-mini")).toMatchObject({ owned_by: "ollama", max_input_tokens: 16384 });
    // Claude Code states no window: the field is left out
    expect(m.get("claude-code")).not.toHaveProperty("max_input_tokens");
    expect(m.get("claude-haiku-4-5-pinned")).toMatchObject({ owned_by: "claude-code" });
    expect(raw.data.some((x: any) => x.id.includes("*"))).toBe(false);
    const one = await gw.openai({ apiKey: ADMIN }).models.retrieve("ollama/qwen3:4b");
    expect(one).toMatchObject({ id: "ollama/qwen3:4b", object: "model", owned_by: "ollama", max_input_tokens: 40960 });
  });
});

describe("GET /v1/models in Anthropic's shape (anthropic-version)", () => {
  it("lists through the Anthropic SDK: type, display_name, RFC 3339 created_at, max_input_tokens", async () => {
    const models: Anthropic.ModelInfo[] = [];
    for await (const x of anthropic().models.list()) models.push(x);
    expect(models.map((x) => x.id)).toEqual([
      "claude-code",
      "sonnet",
      "ollama/qwen3:8b",
      "ollama/qwen3:4b",
      "ollama/llama3.2:latest",
      "gpt-4o-mini",
      "claude-haiku-4-5-pinned",
    ]);
    for (const x of models) {
      expect(x.type).toBe("model");
      expect(typeof x.display_name).toBe("string");
      expect(x.created_at).toMatch(RFC3339);
      expect(x).not.toHaveProperty("object");
    }
    const m = byId(models);
    expect(m.get("ollama/qwen3:8b")).toEqual({
      type: "model",
      id: "ollama/qwen3:8b",
      display_name: "qwen3:8b (Ollama)",
      created_at: "2026-10-01T12:00:00Z",
      max_input_tokens: 16384,
    });
    expect(m.get("claude-code")).toMatchObject({ display_name: "Claude Code", max_input_tokens: null });
    expect(m.get("gpt-4o-mini")).toMatchObject({
      display_name: "gpt-4o-mini (ollama/qwen3:8b)",
      max_input_tokens: 16384,
    });

    const res = await get("/v1/models?limit=1000", AV);
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toBe(res.headers.get("x-request-id"));
    const page = (await res.json()) as any;
    expect(page).toMatchObject({ has_more: false, first_id: "claude-code", last_id: "claude-haiku-4-5-pinned" });
    expect(page.data).toHaveLength(7);
  });

  it("retrieves one model, a name an alias pattern takes too (as its model); unknown ids and bad keys in Anthropic's envelope", async () => {
    const qwen = await anthropic().models.retrieve("ollama/qwen3:8b");
    expect(qwen).toMatchObject({ type: "model", id: "ollama/qwen3:8b", max_input_tokens: 16384 });
    const haiku = await anthropic().models.retrieve("claude-haiku-4-5-20251001");
    expect(haiku).toMatchObject({
      type: "model",
      id: "claude-haiku-4-5-20251001",
      display_name: "claude-haiku-4-5-20251001 (ollama/qwen3:4b)",
      max_input_tokens: 40960,
    });
    // an exact alias wins over the pattern
    expect((await anthropic().models.retrieve("claude-haiku-4-5-pinned")).max_input_tokens).toBeNull();

    const missing = await anthropic()
      .models.retrieve("ollama/nope")
      .catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect(missing.error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(missing.requestID).toMatch(/^req_/);
    const refused = await anthropic("ccb-not-a-key")
      .models.list()
      .catch((e) => e);
    expect(refused).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(refused.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    // the same errors without anthropic-version stay OpenAI's
    const plain = (await (await get("/v1/models/ollama/nope")).json()) as any;
    expect(plain.error.code).toBe("model_not_found");
    const post = await fetch(`${gw.url}/v1/models`, { method: "POST", headers: { ...AV, "x-api-key": ADMIN } });
    expect(post.status).toBe(405);
    expect(((await post.json()) as any).error.type).toBe("invalid_request_error");
  });

  it("a key sees only the models whose running model it may call, in both shapes", async () => {
    const k = await createKey(gw, { name: "qwen only", allowed_models: ["ollama/qwen3*"] });
    const openai = (await gw.openai({ apiKey: k.key }).models.list()).data.map((m) => m.id).sort();
    // gpt-4o-mini runs ollama/qwen3:8b; claude-haiku-4-5-pinned runs claude-code
    expect(openai).toEqual(["gpt-4o-mini", "ollama/qwen3:4b", "ollama/qwen3:8b"]);
    const viaAnthropic: string[] = [];
    for await (const x of anthropic(k.key).models.list()) viaAnthropic.push(x.id);
    expect(viaAnthropic.sort()).toEqual(openai);
    expect((await anthropic(k.key).models.retrieve("claude-haiku-4-5-20251001")).id).toBe("claude-haiku-4-5-20251001");
    for (const hidden of ["claude-code", "ollama/llama3.2:latest", "claude-haiku-4-5-pinned"]) {
      const e = await anthropic(k.key)
        .models.retrieve(hidden)
        .catch((x) => x);
      expect(e, hidden).toBeInstanceOf(Anthropic.NotFoundError);
    }
  });
});

describe("context windows: a slow or failing /api/show never holds up or breaks the list", () => {
  it("lists such a model without its window; a late answer is there on a later list", async () => {
    fake.models.push("slow:1b", "broken:1b");
    fake.show["slow:1b"] = { contextLength: 8192, delayMs: 3_000 };
    fake.show["broken:1b"] = { httpError: { status: 500, message: "boom" } };
    try {
      const first = byId(((await (await get("/v1/models")).json()) as any).data);
      // had the list waited for the slow answer (3 s, past the list's 2 s budget), its window would be here
      expect(first.get("ollama/slow:1b")).not.toHaveProperty("max_input_tokens");
      expect(first.get("ollama/broken:1b")).not.toHaveProperty("max_input_tokens");
      expect(first.get("ollama/qwen3:8b").max_input_tokens).toBe(16384);
      const anth = byId(((await (await get("/v1/models", AV)).json()) as any).data);
      expect(anth.get("ollama/slow:1b").max_input_tokens).toBeNull();
      const later = await eventually(async () => {
        const m = byId(((await (await get("/v1/models")).json()) as any).data).get("ollama/slow:1b");
        return m.max_input_tokens ? m : null;
      }, 10_000);
      expect(later.max_input_tokens).toBe(8192);
      // asked once: a question in flight is not asked again by the lists meanwhile
      expect(fake.shows().filter((n) => n === "slow:1b")).toHaveLength(1);
    } finally {
      fake.models = fake.models.filter((n) => n !== "slow:1b" && n !== "broken:1b");
    }
  });
});

describe("Claude Code's start probe", () => {
  it("HEAD and GET /api/hello: 200, no body, no key needed, no record, no log line", async () => {
    const head = await fetch(`${gw.url}/api/hello`, { method: "HEAD" });
    expect(head.status).toBe(200);
    const plain = await fetch(`${gw.url}/api/hello`);
    expect(plain.status).toBe(200);
    expect(await plain.text()).toBe("");
    // a request that is recorded, after the probes: once its record is there, the probes' would be too
    const after = await get("/v1/models/ollama/none");
    const id = after.headers.get("x-request-id");
    await eventually(() => gw.records().find((r) => r.id === id));
    expect(gw.records().filter((r) => String(r.endpoint).includes("hello"))).toEqual([]);
    expect(gw.logLines().filter((l) => String(l.path).includes("hello"))).toEqual([]);
  });
});

describe("MODEL_ALIASES patterns", () => {
  it("a name a pattern takes reaches Ollama as the target, recorded with the name sent as requestedModel", async () => {
    fake.script = () => ({ chunks: ["small ", "model"] });
    const { data, response } = await gw
      .openai({ apiKey: ADMIN })
      .chat.completions.create({ model: "claude-haiku-4-5-20251001", messages: [{ role: "user", content: "x" }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("small model");
    expect(data.model).toBe("ollama/qwen3:4b");
    expect(fake.chats().at(-1)?.model).toBe("qwen3:4b");
    const rec = await eventually(() =>
      gw.records().find((r) => r.id === response.headers.get("x-request-id") && r.status === "ok"),
    );
    expect(rec).toMatchObject({
      model: "ollama/qwen3:4b",
      requestedModel: "claude-haiku-4-5-20251001",
      provider: "ollama",
      endpoint: "/v1/chat/completions",
    });
    // the Messages API, as Claude Code's background calls come
    const msg = await anthropic().messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 64,
      messages: [{ role: "user", content: "y" }],
    });
    expect(msg.content).toEqual([{ type: "text", text: "small model" }]);
    expect(fake.chats().at(-1)?.model).toBe("qwen3:4b");
    const m = await eventually(() =>
      gw.records().find((r) => r.requestedModel === "claude-haiku-4-5" && r.status === "ok"),
    );
    expect(m).toMatchObject({ model: "ollama/qwen3:4b", endpoint: "/v1/messages" });
  });

  it("an exact alias wins over the pattern", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-haiku-4-5-pinned", messages: [{ role: "user", content: "x" }] }),
    });
    // claude-code runs here (CLAUDE_BIN is missing in this test): not Ollama
    expect(res.status).toBeGreaterThanOrEqual(500);
    const rec = await eventually(() => gw.records().find((r) => r.id === res.headers.get("x-request-id")));
    expect(rec).toMatchObject({ model: "claude-code", requestedModel: "claude-haiku-4-5-pinned" });
  });
});

/** A pass-through proxy in front of the gateway that notes every request (method, URL, status). */
async function recordingProxy(target: string) {
  const seen: { method: string; url: string; status: number; anthropicVersion?: string }[] = [];
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const up = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        seen.push({
          method: req.method ?? "",
          url: req.url ?? "",
          status: r.statusCode ?? 0,
          anthropicVersion: req.headers["anthropic-version"] as string | undefined,
        });
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("the real claude CLI pointed at the gateway", () => {
  it("probes HEAD /api/hello, discovers GET /v1/models in Anthropic's shape, then calls /v1/messages: all 200", async () => {
    const proxy = await recordingProxy(gw.url);
    const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "probe-"));
    const sub = (name: string) => {
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      return path.join(dir, name);
    };
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: sub("home"),
      CLAUDE_CONFIG_DIR: sub("config"),
      TMPDIR: sub("tmp"),
      ANTHROPIC_BASE_URL: proxy.url,
      ANTHROPIC_API_KEY: ADMIN,
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_MAX_RETRIES: "0",
      // what a user may turn on: the CLI then reads the gateway's model list at start
      CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: "1",
      // CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC left unset, as a user has it: the probe is sent
    };
    try {
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          CLAUDE_BIN,
          ["-p", "hi", "--model", "ollama/qwen3:8b"],
          { cwd: sub("work"), env: env as unknown as NodeJS.ProcessEnv, timeout: 60_000, encoding: "utf8" },
          (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ).stdin?.end();
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Echo: /);
      const calls = proxy.seen.map((s) => `${s.method} ${s.url} ${s.status}`);
      expect(calls[0]).toBe("HEAD /api/hello 200");
      expect(calls).toContain("GET /v1/models?limit=1000 200");
      expect(calls).toContain("POST /v1/messages?beta=true 200");
      expect(new Set(calls)).toEqual(
        new Set(["HEAD /api/hello 200", "GET /v1/models?limit=1000 200", "POST /v1/messages?beta=true 200"]),
      );
      expect(proxy.seen.find((s) => s.url.startsWith("/v1/models"))?.anthropicVersion).toBeDefined();
      // the CLI took the list (its schema: data[].id, display_name) and kept the Claude ids of it
      const cached = JSON.parse(fs.readFileSync(path.join(dir, "config", "cache", "gateway-models.json"), "utf8"));
      expect(cached.models).toContainEqual({ id: "claude-code", display_name: "Claude Code" });
    } finally {
      await proxy.close();
    }
  });
});
