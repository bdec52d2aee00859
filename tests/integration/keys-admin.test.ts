import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { type Gateway, startGateway } from "../helpers/gateway";
import { expectError } from "../helpers/schema";
import { ADMIN, admin, chat, createKey } from "./keys-client";

let fake: FakeOllama;
let gw: Gateway;
const texts: string[] = [];

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: ADMIN });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

describe("the admin API (/admin/keys)", () => {
  it("creates a key shown once, lists and reads it without the secret, edits it", async () => {
    const fields = {
      name: "ci bot",
      allowed_models: ["ollama/*", "claude-code"],
      rpm_limit: 60,
      tpm_limit: 10_000,
      max_budget_usd: 5,
      max_budget_tokens: 100_000,
      budget_duration: "30d",
      expires_at: "2099-01-01T00:00:00Z",
    };
    const created = await admin(gw, "POST", "/admin/keys", fields);
    expect(created.status).toBe(201);
    const k = created.body;
    texts.push(k.key);
    expect(k.key).toMatch(/^ccb-[A-Za-z0-9_-]{32,}$/);
    expect(k).toMatchObject({ ...fields, expires_at: "2099-01-01T00:00:00.000Z", status: "active" });
    expect(k.id).toMatch(/^key_/);
    expect(k.key.startsWith(k.key_prefix)).toBe(true);
    expect(k.key_prefix.length).toBeLessThan(16);

    const list = await admin(gw, "GET", "/admin/keys");
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(k.key);
    expect(list.body.data.find((x: any) => x.id === k.id)).toMatchObject({ name: "ci bot", key_prefix: k.key_prefix });
    expect(list.body.data[0].key).toBeUndefined();

    const one = await admin(gw, "GET", `/admin/keys/${k.id}`);
    expect(one.body).toMatchObject({ id: k.id, rpm_limit: 60, last_used_at: null });
    expect(one.body.key).toBeUndefined();

    const patched = await admin(gw, "PATCH", `/admin/keys/${k.id}`, { rpm_limit: null, name: "ci bot 2" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ rpm_limit: null, name: "ci bot 2", tpm_limit: 10_000 });

    expect((await chat(gw, k.key)).status).toBe(200);
    const used = await admin(gw, "GET", `/admin/keys/${k.id}`);
    expect(used.body.last_used_at).not.toBeNull();
    expect(used.body.usage).toMatchObject({ requests: 1, lifetime_requests: 1 });
    expect(used.body.usage.lifetime_total_tokens).toBe(used.body.usage.total_tokens);
  });

  it("refuses bad fields, unknown ids, a normal key (403) and no key (401), as OpenAI error bodies", async () => {
    for (const bad of [
      {},
      { name: "" },
      { name: "x", rpm_limit: -1 },
      { name: "x", budget_duration: "2w" },
      { name: "x", rpm: 5 },
    ]) {
      const r = await admin(gw, "POST", "/admin/keys", bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expectError(r.body);
    }
    const missing = await admin(gw, "GET", "/admin/keys/key_nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("key_not_found");
    const k = await createKey(gw, { name: "plain" });
    texts.push(k.key);
    const forbidden = await admin(gw, "GET", "/admin/keys", undefined, k.key);
    expect(forbidden.status).toBe(403);
    expectError(forbidden.body);
    expect((await admin(gw, "POST", "/admin/keys", { name: "sneaky" }, k.key)).status).toBe(403);
    expect((await admin(gw, "GET", "/admin/keys", undefined, "wrong")).status).toBe(401);
    const anon = await fetch(`${gw.url}/admin/keys`);
    expect(anon.status).toBe(401);
    expectError(await anon.json());
  });

  it("revokes at once (DELETE), rotates (the old text stops at once), refuses an expired key", async () => {
    const k = await createKey(gw, { name: "short-lived" });
    texts.push(k.key);
    expect((await chat(gw, k.key)).status).toBe(200);
    const revoked = await admin(gw, "DELETE", `/admin/keys/${k.id}`);
    expect(revoked.body.status).toBe("revoked");
    const after = await chat(gw, k.key);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("invalid_api_key");
    expect((await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${k.key}` } })).status).toBe(401);

    const r = await createKey(gw, { name: "rotating" });
    const rotated = await admin(gw, "POST", `/admin/keys/${r.id}/rotate`);
    expect(rotated.status).toBe(200);
    texts.push(r.key, rotated.body.key);
    expect(rotated.body.key).not.toBe(r.key);
    expect(rotated.body.id).toBe(r.id);
    expect((await chat(gw, r.key)).status).toBe(401);
    expect((await chat(gw, rotated.body.key)).status).toBe(200);
    expect((await admin(gw, "POST", `/admin/keys/${k.id}/rotate`)).status).toBe(409);

    const e = await createKey(gw, { name: "expiring" });
    texts.push(e.key);
    await admin(gw, "PATCH", `/admin/keys/${e.id}`, { expires_at: new Date(Date.now() - 1000).toISOString() });
    const expired = await chat(gw, e.key);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
  });

  it("keeps an audit log of key changes: what, when, from which address", async () => {
    const log = await admin(gw, "GET", "/admin/audit");
    expect(log.status).toBe(200);
    const actions = log.body.data.map((e: any) => e.action);
    for (const a of ["created", "updated", "revoked", "rotated"]) expect(actions).toContain(a);
    const entry = log.body.data[0];
    expect(entry).toMatchObject({ actor: "admin", address: "127.0.0.1" });
    expect(Date.parse(entry.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(log.body)).not.toMatch(/ccb-[A-Za-z0-9_-]{20}/);
  });

  it("leaves no key text in the database files", async () => {
    expect(texts.length).toBeGreaterThan(4);
    const files = [gw.dbPath, `${gw.dbPath}-wal`, `${gw.dbPath}-shm`].filter((f) => fs.existsSync(f));
    const bytes = Buffer.concat(files.map((f) => fs.readFileSync(f)));
    expect(bytes.length).toBeGreaterThan(0);
    for (const t of texts) {
      expect(bytes.includes(Buffer.from(t))).toBe(false);
      expect(bytes.includes(Buffer.from(t.slice(12)))).toBe(false); // not even the hidden part alone
    }
  });
});

describe("a gateway without CLAUDE_AUTH_KEY", () => {
  it("is open until the first key exists; then /v1 needs a key, and the admin key API stays open", async () => {
    const open = await startGateway({ OLLAMA_URL: fake.url });
    try {
      expect((await chat(open, null)).status).toBe(200);
      expect((await chat(open, "anything")).status).toBe(200);
      const created = await fetch(`${open.url}/admin/keys`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "first" }),
      });
      expect(created.status).toBe(201);
      const { key, id } = (await created.json()) as any;
      expect((await chat(open, null)).status).toBe(401);
      expect((await chat(open, "anything")).status).toBe(401);
      expect((await chat(open, key)).status).toBe(200);
      await fetch(`${open.url}/admin/keys/${id}`, { method: "DELETE" });
      expect((await chat(open, null)).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
