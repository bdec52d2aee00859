// Two gateway instances on one PostgreSQL (a private cluster, migrated from empty as `npm start` does):
// one session alternating between them, concurrent turns on one session from both, a key's budget held
// across both, and records equal to requests after a concurrent run on both.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, lastUserText } from "../fakes/ollama";
import type { Gateway } from "../helpers/gateway";
import { type PgInstances, twoInstancesOnPg } from "../helpers/pg-instances";
import type { PgCluster } from "../helpers/postgres";
import { ADMIN, chat, createKey } from "./keys-client";

let cluster: PgCluster;
let fake: FakeOllama;
let a: Gateway;
let b: Gateway;
let pair: PgInstances | undefined;

beforeAll(async () => {
  pair = await twoInstancesOnPg({ CLAUDE_AUTH_KEY: ADMIN, RETENTION_DAYS: "30", RETENTION_INTERVAL_MS: "1000" });
  ({ cluster, fake, a, b } = pair);
});

afterAll(() => pair?.stop());

const count = async (sql: string) => Number((await cluster.query<{ n: string }>("shared", sql))[0]!.n);

/** The fake answers with how many user messages it was sent: the conversation it sees. */
const contextReply = (delayMs: number) => (body: any) => ({
  chunks: [`${lastUserText(body)} `, `seen ${body.messages.filter((m: any) => m.role === "user").length}`],
  delayMs,
});

describe("two instances on one PostgreSQL", () => {
  it("one session's turns alternate between the instances and stay in context", async () => {
    fake.script = contextReply(0);
    const headers = { "X-Session-ID": "alt-1" };
    for (const [i, gw] of [a, b, a, b].entries()) {
      const r = await chat(gw, ADMIN, "ollama/qwen3:8b", { headers, content: `turn ${i + 1}` });
      expect(r.status, r.text).toBe(200);
      expect(r.body.choices[0].message.content).toBe(`turn ${i + 1} seen ${i + 1}`);
    }
    const [s] = await cluster.query<{ turnCount: number }>(
      "shared",
      `SELECT "turnCount" FROM "Session" WHERE id = 'alt-1'`,
    );
    expect(s!.turnCount).toBe(4);
  });

  it("concurrent turns on one session from both instances run one at a time, each seeing the ones before", async () => {
    fake.script = contextReply(60);
    const headers = { "X-Session-ID": "conc-1" };
    const before = fake.chats().length;
    const results = await Promise.all(
      [a, b, a, b, a, b].map((gw, i) => chat(gw, ADMIN, "ollama/qwen3:8b", { headers, content: `c${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    // Serialized: the upstream saw a conversation one turn longer each time (never two turns on the same
    // history, which is what interleaving would give).
    const seen = fake
      .chats()
      .slice(before)
      .map((c) => c.messages.filter((m: any) => m.role === "user").length);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    const answers = results.map((r) => Number(/seen (\d+)$/.exec(r.body.choices[0].message.content)![1]));
    expect([...answers].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("a key's budget holds across both instances", async () => {
    const k = await createKey(a, { name: "shared-budget", max_budget_tokens: 100 });
    fake.script = () => ({ chunks: ["ok"], promptEvalCount: 40, evalCount: 20 });
    expect((await chat(a, k.key)).status).toBe(200); // 60 tokens
    expect((await chat(b, k.key)).status).toBe(200); // 120: over from now on
    for (const gw of [a, b]) {
      const over = await chat(gw, k.key);
      expect(over.status).toBe(429);
      expect(over.body.error.code).toBe("insufficient_quota");
    }
  });

  it("two keys racing for new sessions from both instances: one claim wins each, the other gets 403 and no upstream call", async () => {
    fake.script = () => ({ chunks: ["ok"], delayMs: 20 });
    const [ka, kb] = await Promise.all([createKey(a, { name: "race a" }), createKey(b, { name: "race b" })]);
    const ids = Array.from({ length: 8 }, (_, i) => `pg-race-${Date.now()}-${i}`);
    const before = fake.chats().length;
    const rounds = await Promise.all(
      ids.map(async (id) => {
        const headers = { "X-Session-ID": id };
        const [ra, rb] = await Promise.all([
          chat(a, ka.key, "ollama/qwen3:8b", { headers, content: `from a ${id}` }),
          chat(b, kb.key, "ollama/qwen3:8b", { headers, content: `from b ${id}` }),
        ]);
        return { id, statuses: [ra.status, rb.status].sort(), winner: ra.status === 200 ? ka.id : kb.id, rb };
      }),
    );
    for (const r of rounds) expect(r.statuses, r.id).toEqual([200, 403]);
    expect(fake.chats().length - before).toBe(ids.length);
    for (const r of rounds) {
      const [s] = await cluster.query<{ keyId: string }>("shared", `SELECT "keyId" FROM "Session" WHERE id = $1`, [
        r.id,
      ]);
      expect(s!.keyId).toBe(r.winner);
    }
    // A stored response made on one instance is 404 to the other key on the other instance.
    const made = await fetch(`${a.url}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${ka.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "ollama/qwen3:8b", input: "hi" }),
    });
    const { id } = (await made.json()) as { id: string };
    const peek = await fetch(`${b.url}/v1/responses/${id}`, { headers: { authorization: `Bearer ${kb.key}` } });
    expect(peek.status).toBe(404);
    const own = await fetch(`${b.url}/v1/responses/${id}`, { headers: { authorization: `Bearer ${ka.key}` } });
    expect(own.status).toBe(200);
  });

  it("records equal requests after a concurrent run on both, and the rollups hold them all", async () => {
    fake.script = () => ({ chunks: ["x", "y"], delayMs: 5, promptEvalCount: 3, evalCount: 2 });
    const before = await count(`SELECT COUNT(*) AS n FROM "Request"`);
    const n = 40;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => chat(i % 2 ? a : b, ADMIN, "ollama/qwen3:8b", { stream: i % 4 < 2 })),
    );
    expect(results.filter((r) => r.status === 200).length).toBe(n);
    await expect.poll(() => count(`SELECT COUNT(*) AS n FROM "Request"`), { timeout: 10_000 }).toBe(before + n);
    expect(await count(`SELECT SUM("requests") AS n FROM "UsageHourly"`)).toBe(before + n);
    // Both instances read the same totals (the console's usage query).
    const [ua, ub] = await Promise.all(
      [a, b].map(async (gw) => {
        const r = await fetch(`${gw.url}/v1/usage`, { headers: { authorization: `Bearer ${ADMIN}` } });
        return r.json();
      }),
    );
    expect(ua).toEqual(ub);
    const total = (ua as Array<{ requests: number }>).reduce((s, r) => s + r.requests, 0);
    expect(total).toBe(before + n);
  });

  it("retention prunes old records on the shared database, keeps the rollup totals, and shows on /health", async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString().replace("Z", "");
    await cluster.query(
      "shared",
      `INSERT INTO "Request" (id, "createdAt", model, provider, status, "httpStatus", "totalTokens")
       VALUES ('req_ancient', $1, 'qwen3:8b', 'ollama', 'ok', 200, 7)`,
      [old],
    );
    const rolled = await count(`SELECT SUM("requests") AS n FROM "UsageHourly"`);
    await expect
      .poll(() => count(`SELECT COUNT(*) AS n FROM "Request" WHERE id = 'req_ancient'`), { timeout: 15_000 })
      .toBe(0);
    expect(await count(`SELECT SUM("requests") AS n FROM "UsageHourly"`)).toBe(rolled);
    const h = await fetch(`${b.url}/health`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = (await h.json()) as any;
    expect(body.database).toMatchObject({ ok: true, kind: "postgres" });
    expect(body.retention).toMatchObject({ retention_days: 30, store_content_days: null });
    expect(body.retention.last_run_at).toEqual(expect.any(String));
  });
});
