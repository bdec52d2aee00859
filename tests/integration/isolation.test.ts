// Two keys tried as an attacker would (issue 16): a key sees, continues and deletes only its own stored
// responses and sessions, on every endpoint; model names are bounded and allow-lists see the model that
// runs. Each refusal is the right OpenAI error, leaves a record under the key that tried, and makes no
// upstream call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { expectError } from "../helpers/schema";
import { ADMIN, type Created, chat, createKey } from "./keys-client";

let fake: FakeOllama;
let gw: Gateway;
let a: Created;
let b: Created;

beforeAll(async () => {
  fake = await startFakeOllama();
  // "slow …" answers take a while: a first turn still running while another key tries its session.
  fake.script = (body) => {
    const last = body.messages?.at(-1)?.content ?? "";
    return typeof last === "string" && last.startsWith("slow") ? { chunks: ["a", "b", "c"], delayMs: 400 } : undefined;
  };
  gw = await startGateway({
    OLLAMA_URL: fake.url,
    CLAUDE_AUTH_KEY: ADMIN,
    MODEL_ALIASES: "gpt-4o=claude-code,gpt-4o-mini=ollama/qwen3:8b",
  });
  a = await createKey(gw, { name: "alice" });
  b = await createKey(gw, { name: "bob" });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

async function call(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, body: json, id: res.headers.get("x-request-id") ?? "" };
}

const respond = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call("POST", "/v1/responses", key, { model: "ollama/qwen3:8b", input: "hi", ...body }, headers);

const recordOf = (id: string) => eventually(() => gw.records().find((r) => r.id === id));

/** Runs `attempt`, and checks it made no upstream call. */
async function noUpstream<T>(attempt: () => Promise<T>): Promise<T> {
  const before = fake.chats().length;
  const out = await attempt();
  expect(fake.chats().length).toBe(before);
  return out;
}

describe("stored responses belong to their key", () => {
  it("another key's previous_response_id, GET and DELETE are 404 (as for a missing id), recorded; the owner keeps it", async () => {
    const mine = await respond(a.key, { input: "secret of alice" });
    expect(mine.status).toBe(200);
    const id = mine.body.id as string;
    const missing = await call("GET", "/v1/responses/resp_does_not_exist", b.key);

    const cont = await noUpstream(() => respond(b.key, { previous_response_id: id, input: "what did alice say?" }));
    expect(cont.status).toBe(404);
    expectError(cont.body);
    expect(cont.body.error).toMatchObject({ code: "response_not_found", param: "previous_response_id" });
    expect(JSON.stringify(cont.body)).not.toContain("secret");

    const read = await call("GET", `/v1/responses/${id}`, b.key);
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe(missing.body.error.code);
    expect(read.body.error.message.replace(id, "X")).toBe(
      missing.body.error.message.replace("resp_does_not_exist", "X"),
    );

    const del = await call("DELETE", `/v1/responses/${id}`, b.key);
    expect(del.status).toBe(404);
    for (const r of [cont, read, del]) {
      expect(await recordOf(r.id)).toMatchObject({ keyId: b.id, httpStatus: 404, errorCode: "response_not_found" });
    }

    const still = await call("GET", `/v1/responses/${id}`, a.key);
    expect(still.status).toBe(200);
    expect(still.body.id).toBe(id);
    expect((await call("GET", `/v1/responses/${id}`, ADMIN)).status).toBe(200);
    const next = await respond(a.key, { previous_response_id: id, input: "and now?" });
    expect(next.status).toBe(200);
    expect((await call("DELETE", `/v1/responses/${id}`, a.key)).status).toBe(200);
    expect((await call("GET", `/v1/responses/${id}`, a.key)).status).toBe(404);
  });

  it("the admin key sees, continues and deletes every key's responses", async () => {
    const mine = await respond(a.key, { input: "for the admin" });
    const id = mine.body.id as string;
    expect((await respond(ADMIN, { previous_response_id: id, input: "admin goes on" })).status).toBe(200);
    expect((await call("DELETE", `/v1/responses/${id}`, ADMIN)).status).toBe(200);
    expect((await call("GET", `/v1/responses/${id}`, a.key)).status).toBe(404);
  });
});

describe("sessions belong to the key that named them first", () => {
  it("/v1/responses with another key's X-Session-ID is 403 session_forbidden; nothing is read or stored", async () => {
    const sid = "alice-responses-session";
    expect((await chat(gw, a.key, undefined, { headers: { "x-session-id": sid }, content: "alice one" })).status).toBe(
      200,
    );
    const stolen = await noUpstream(() => respond(b.key, { input: "bob here" }, { "x-session-id": sid }));
    expect(stolen.status).toBe(403);
    expectError(stolen.body);
    expect(stolen.body.error).toMatchObject({ code: "session_forbidden", param: "X-Session-ID" });
    expect(await recordOf(stolen.id)).toMatchObject({ keyId: b.id, httpStatus: 403, errorCode: "session_forbidden" });
    const turns = gw.query(`SELECT content FROM SessionMessage WHERE sessionId = ?`, sid).map((r) => r.content);
    expect(turns.join("")).not.toContain("bob here");
    // Alice's next turn carries only her own history.
    fake.requests.length = 0;
    expect((await chat(gw, a.key, undefined, { headers: { "x-session-id": sid }, content: "alice two" })).status).toBe(
      200,
    );
    expect(JSON.stringify(fake.chats().at(-1).messages)).not.toContain("bob");
  });

  it("a second key racing a session's first turn is refused at once, with no upstream call", async () => {
    const sid = `race-${Date.now()}`;
    const headers = { "x-session-id": sid };
    const first = chat(gw, a.key, undefined, { headers, content: "slow first turn" });
    await eventually(() => fake.chats().some((c) => JSON.stringify(c.messages).includes("slow first turn")));
    const before = fake.chats().length;
    const racing = await chat(gw, b.key, undefined, { headers, content: "bob races" });
    expect(racing.status).toBe(403);
    expect(racing.body.error.code).toBe("session_forbidden");
    expect(fake.chats().length).toBe(before);
    expect((await first).status).toBe(200);
    expect(gw.query(`SELECT keyId FROM Session WHERE id = ?`, sid)[0]).toEqual({ keyId: a.id });
  });

  it("two keys claiming new sessions at the same instant: one wins each, the other gets 403 and no upstream call", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `same-instant-${Date.now()}-${i}`);
    const before = fake.chats().length;
    const rounds = await Promise.all(
      ids.map(async (id) => {
        const headers = { "x-session-id": id };
        const both = await Promise.all([
          chat(gw, a.key, undefined, { headers }),
          chat(gw, b.key, undefined, { headers }),
        ]);
        return both.map((r) => r.status).sort();
      }),
    );
    for (const r of rounds) expect(r).toEqual([200, 403]);
    expect(fake.chats().length - before).toBe(ids.length);
  });

  it("a claim made by a failed first turn still holds", async () => {
    const sid = `failed-first-${Date.now()}`;
    const headers = { "x-session-id": sid };
    expect((await chat(gw, a.key, "ollama/missing-model", { headers })).status).toBe(404);
    const other = await chat(gw, b.key, undefined, { headers });
    expect(other.status).toBe(403);
    expect((await chat(gw, a.key, undefined, { headers })).status).toBe(200);
  });

  it("two keys hammering each other's session and response ids at once: nothing crosses", async () => {
    const keys = [a, b];
    const own = await Promise.all(
      keys.map(async (k) => {
        const r = await respond(k.key, { input: `first of ${k.id}` });
        return { key: k, response: r.body.id as string, session: `hammer-${k.id}` };
      }),
    );
    const tries = [];
    for (let i = 0; i < 12; i++) {
      for (const [mine, theirs] of [
        [own[0]!, own[1]!],
        [own[1]!, own[0]!],
      ] as const) {
        const k = mine.key.key;
        tries.push(
          chat(gw, k, undefined, {
            headers: { "x-session-id": mine.session },
            content: `mine ${mine.key.id} ${i}`,
          }).then((r) => ["own session", r.status]),
          chat(gw, k, undefined, {
            headers: { "x-session-id": theirs.session },
            content: `steal ${mine.key.id} ${i}`,
          }).then((r) => ["their session", r.status]),
          call("GET", `/v1/responses/${theirs.response}`, k).then((r) => ["their response", r.status]),
          respond(k, { previous_response_id: theirs.response, input: `steal ${mine.key.id}` }).then((r) => [
            "their chain",
            r.status,
          ]),
        );
      }
    }
    const results = await Promise.all(tries);
    // The first request naming each session claims it: whichever key that was owns it; check by key below.
    for (const [what, status] of results) {
      if (what === "their response" || what === "their chain") expect([what, status]).toEqual([what, 404]);
    }
    for (const o of own) {
      const owner = gw.query(`SELECT keyId FROM SessionOwner WHERE sessionId = ?`, o.session)[0]?.keyId;
      const stored = gw
        .query(`SELECT content FROM SessionMessage WHERE sessionId = ?`, o.session)
        .map((r) => r.content);
      const foreign = owner === a.id ? b.id : a.id;
      expect(stored.join("")).not.toContain(foreign);
    }
    for (const o of own) expect((await call("GET", `/v1/responses/${o.response}`, o.key.key)).status).toBe(200);
  });
});

describe("models: bounded names, allow-lists on the model that runs", () => {
  it("a 100,000-character name against `ollama/*:*b` is 404 at once on every endpoint; other requests go on", async () => {
    const k = await createKey(gw, { name: "glob", allowed_models: ["ollama/*:*b"] });
    const long = `ollama/${":".repeat(100_000)}`;
    const [chatted, responded, embedded, normal] = await Promise.all([
      call("POST", "/v1/chat/completions", k.key, { model: long, messages: [{ role: "user", content: "x" }] }),
      call("POST", "/v1/responses", k.key, { model: long, input: "x" }),
      call("POST", "/v1/embeddings", k.key, { model: long, input: "x" }),
      chat(gw, k.key, "ollama/qwen3:8b"),
    ]);
    for (const r of [chatted, responded, embedded]) {
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("model_not_found");
      expect(r.body.error.message.length).toBeLessThan(400);
    }
    expect(normal.status).toBe(200);
  });

  it("an alias passes only when its target is allowed, on every endpoint; the upstream gets the target", async () => {
    const k = await createKey(gw, { name: "gpt-4o only", allowed_models: ["gpt-4o*"] });
    const refused = await Promise.all([
      call("POST", "/v1/chat/completions", k.key, { model: "gpt-4o", messages: [{ role: "user", content: "x" }] }),
      call("POST", "/v1/responses", k.key, { model: "gpt-4o", input: "x" }),
      call("POST", "/v1/responses", k.key, { model: "gpt-4o-mini", input: "x" }),
      call("POST", "/v1/embeddings", k.key, { model: "gpt-4o-mini", input: "x" }),
    ]);
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("model_not_allowed");
      const rec = await recordOf(r.id);
      expect(rec.keyId).toBe(k.id);
      expect(["claude-code", "ollama/qwen3:8b"]).toContain(rec.model);
      expect(["gpt-4o", "gpt-4o-mini"]).toContain(rec.requestedModel);
    }
    const target = await createKey(gw, { name: "qwen", allowed_models: ["ollama/qwen3:8b"] });
    fake.requests.length = 0;
    const ok = await call("POST", "/v1/responses", target.key, { model: "gpt-4o-mini", input: "x", store: false });
    expect(ok.status).toBe(200);
    expect(ok.body.model).toBe("ollama/qwen3:8b");
    expect(fake.chats().map((c) => c.model)).toEqual(["qwen3:8b"]);
    expect(await recordOf(ok.id)).toMatchObject({ model: "ollama/qwen3:8b", requestedModel: "gpt-4o-mini" });
  });
});
