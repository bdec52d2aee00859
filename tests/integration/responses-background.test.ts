/**
 * Background responses (issue 26) on the Ollama backend, with the `openai` SDK's own calls: create with
 * `background: true`, retrieve (polling, and streaming from `starting_after`), cancel; every object and
 * event validated against the reference schema as it goes by.
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { expectErrorBody, expectResponse, responsesValidatingFetch } from "../helpers/openai-responses";
import { ADMIN, createKey } from "./keys-client";

let fake: FakeOllama;
let gw: Gateway;
let client: OpenAI;
const failures: string[] = [];
const MODEL = "ollama/qwen3:8b";
const sdk = (apiKey: string) =>
  new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0, fetch: responsesValidatingFetch(failures) });

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: ADMIN, BACKGROUND_MAX_PER_KEY: "3" });
  client = sdk(ADMIN);
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});
afterEach(() => {
  expect(failures.splice(0)).toEqual([]);
  fake.script = () => undefined;
});

const slow = (n: number, delayMs: number) => () => ({
  chunks: Array.from({ length: n }, (_, i) => `w${i} `),
  delayMs,
  promptEvalCount: 5,
  evalCount: n,
});
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `).join("");

/** Polls until the response has ended. */
async function settled(id: string, c = client) {
  return eventually(async () => {
    const r = await c.responses.retrieve(id);
    return ["queued", "in_progress"].includes(r.status ?? "") ? undefined : r;
  }, 15_000);
}

describe("background responses on Ollama", () => {
  it("answers queued at once, runs on, and polling shows the output so far, then completed with usage and a record", async () => {
    fake.script = slow(8, 150);
    const { data: created, response } = await client.responses
      .create({ model: MODEL, input: "long task", background: true })
      .withResponse();
    expectResponse(created);
    expect(created).toMatchObject({ status: "queued", background: true, output: [] });
    const partial = await eventually(async () => {
      const r = await client.responses.retrieve(created.id);
      return r.status === "in_progress" && r.output_text.length > 0 ? r : undefined;
    });
    // It cannot be continued before it has ended.
    const early = await client.responses
      .create({ model: MODEL, input: "too soon", previous_response_id: created.id })
      .catch((e) => e);
    expect(early).toBeInstanceOf(OpenAI.BadRequestError);
    expect(early.code).toBe("response_in_progress");
    expect(words(8).startsWith(partial.output_text)).toBe(true);
    // Counted while it runs: /health (the admin's view) and /metrics.
    const auth = { headers: { authorization: `Bearer ${ADMIN}` } };
    const health = (await (await fetch(`${gw.url}/health`, auth)).json()) as any;
    expect(health.background).toMatchObject({ in_progress: 1, max_per_key: 3 });
    const metrics = await (await fetch(`${gw.url}/metrics`, auth)).text();
    expect(metrics).toContain('ccbridge_background_responses{status="in_progress"} 1');
    expect(metrics).toMatch(/ccbridge_requests_in_flight\{endpoint="\/v1\/responses"\} 1/);
    const done = await settled(created.id);
    expect(done).toMatchObject({ status: "completed", background: true });
    expect(done.output_text).toBe(words(8));
    expect(done.usage).toMatchObject({ input_tokens: 5, output_tokens: 8 });
    const rec = await eventually(() => gw.records().find((r) => r.id === response.headers.get("x-request-id")));
    expect(rec).toMatchObject({ status: "ok", endpoint: "/v1/responses", provider: "ollama" });
    // It continues like any stored response.
    fake.script = () => ({ chunks: ["next"] });
    const next = await client.responses.create({ model: MODEL, input: "and then", previous_response_id: created.id });
    expect(next.output_text).toBe("next");
    expect(
      fake
        .chats()
        .at(-1)
        .messages.map((m: any) => m.content),
    ).toEqual(["long task", words(8), "and then"]);
  });

  it("needs store: true; bad stream queries and cancelling a response made without background are 400s", async () => {
    const e = await client.responses
      .create({ model: MODEL, input: "x", background: true, store: false })
      .catch((err) => err);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.param).toBe("store");
    expect(e.message).toContain("store: true");
    fake.script = () => ({ chunks: ["plain"] });
    const plain = await client.responses.create({ model: MODEL, input: "x" });
    const c = await client.responses.cancel(plain.id).catch((err) => err);
    expect(c).toBeInstanceOf(OpenAI.BadRequestError);
    const s = await fetch(`${gw.url}/v1/responses/${plain.id}?stream=true`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(s.status).toBe(400);
    const bg = await client.responses.create({ model: MODEL, input: "x", background: true });
    for (const q of ["stream=true&starting_after=-5", "stream=true&starting_after=x", "stream=yes"]) {
      const r = await fetch(`${gw.url}/v1/responses/${bg.id}?${q}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(r.status, q).toBe(400);
      expectErrorBody(await r.json());
    }
    await settled(bg.id);
  });

  it("streams with sequence numbers; a cut stream resumes from starting_after with no event lost or repeated, for several readers", async () => {
    fake.script = slow(12, 40);
    const stream = await client.responses.create({ model: MODEL, input: "stream it", background: true, stream: true });
    const seen: any[] = [];
    for await (const e of stream) {
      seen.push(e);
      if (seen.length === 6) break; // the client cuts the stream
    }
    const id = seen[0].response.id;
    const last = seen.at(-1).sequence_number;
    const resume = async (after: number) => {
      const out: any[] = [];
      for await (const e of await client.responses.retrieve(id, { stream: true, starting_after: after })) out.push(e);
      return out;
    };
    const [rest, again, all] = await Promise.all([resume(last), resume(last), resume(-1)]);
    const seqs = [...seen, ...rest].map((e) => e.sequence_number);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(again).toEqual(rest);
    expect(all.map((e) => e.sequence_number)).toEqual(seqs);
    expect(rest.at(-1)).toMatchObject({ type: "response.completed", response: { status: "completed" } });
    expect(rest.at(-1).response.output[0].content[0].text).toBe(words(12));
    // After the end, a stream replays the whole log and closes.
    expect((await resume(seqs.length - 3)).map((e) => e.sequence_number)).toEqual(seqs.slice(-2));
  });

  it("the client gone right after creating: the run completes and is stored", async () => {
    fake.script = slow(6, 40);
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, input: "leave", background: true, stream: true }),
      signal: ac.signal,
    });
    const id = `resp_${res.headers.get("x-request-id")?.replace(/^req_/, "")}`;
    ac.abort();
    const done = await settled(id);
    expect(done.status).toBe("completed");
    expect(done.output_text).toBe(words(6));
  });

  it("cancel mid-run: the upstream request is aborted, cancelled; cancel is idempotent; a finished one is answered as it is", async () => {
    fake.script = slow(100, 50);
    const aborted = fake.aborted;
    const created = await client.responses.create({ model: MODEL, input: "cancel me", background: true });
    await eventually(async () => ((await client.responses.retrieve(created.id)).output_text ? true : undefined));
    const cancelled = await client.responses.cancel(created.id);
    expectResponse(cancelled);
    expect(cancelled.status).toBe("cancelled");
    // (the SDK adds output_text to create and retrieve only)
    expect((cancelled.output[0] as any).content[0].text).toMatch(/^w0 /);
    await eventually(() => (fake.aborted > aborted ? true : undefined));
    expect((await client.responses.cancel(created.id)).status).toBe("cancelled");
    expect((await client.responses.retrieve(created.id)).status).toBe("cancelled");
    // A stream of it ends (no terminal event: the status is on the object).
    const events: any[] = [];
    for await (const e of await client.responses.retrieve(created.id, { stream: true })) events.push(e);
    expect(events[0].type).toBe("response.created");
    const rec = await eventually(() => gw.records().find((r) => r.id === `req_${created.id.slice(5)}`));
    expect(rec.status).toBe("cancelled");

    fake.script = () => ({ chunks: ["quick"] });
    const quick = await client.responses.create({ model: MODEL, input: "q", background: true });
    await settled(quick.id);
    expect((await client.responses.cancel(quick.id)).status).toBe("completed");
  });

  it("queued behind a busy session, it stays queued; cancelled there, it never runs", async () => {
    fake.script = slow(30, 50);
    const headers = { "X-Session-ID": `bg-busy-${Date.now()}` };
    const busy = client.responses.create({ model: MODEL, input: "first" }, { headers });
    await eventually(() => (fake.inFlight > 0 ? true : undefined));
    const chats = fake.chats().length;
    const queued = await client.responses.create({ model: MODEL, input: "second", background: true }, { headers });
    await new Promise((r) => setTimeout(r, 300));
    expect((await client.responses.retrieve(queued.id)).status).toBe("queued");
    const cancelled = await client.responses.cancel(queued.id);
    expect(cancelled).toMatchObject({ status: "cancelled", output: [] });
    await busy;
    expect(fake.chats().length).toBe(chats);
  });

  it("a failing upstream ends failed with the error", async () => {
    fake.script = () => ({ httpError: { status: 500, message: "boom" } });
    const created = await client.responses.create({ model: MODEL, input: "fail", background: true });
    const done = await settled(created.id);
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ code: "server_error" });
    fake.script = () => ({ chunks: ["half", "more"], midStreamError: { after: 1, message: "gone" } });
    const mid = await settled((await client.responses.create({ model: MODEL, input: "f", background: true })).id);
    expect(mid.status).toBe("failed");
    expect(mid.output_text).toBe("half");
  });

  it("another key's background response is 404 to retrieve, stream and cancel; a key's runs in flight are bounded (429)", async () => {
    const [ka, kb] = await Promise.all([createKey(gw, { name: "bg a" }), createKey(gw, { name: "bg b" })]);
    const a = sdk(ka.key);
    const b = sdk(kb.key);
    fake.script = slow(200, 50);
    const runs = await Promise.all(
      [1, 2, 3].map(() => a.responses.create({ model: MODEL, input: "x", background: true })),
    );
    const over = await a.responses.create({ model: MODEL, input: "x", background: true }).catch((e) => e);
    expect(over).toBeInstanceOf(OpenAI.RateLimitError);
    expect(over.code).toBe("too_many_background_responses");
    // Another key still may.
    const other = await b.responses.create({ model: MODEL, input: "x", background: true });
    const id = runs[0]!.id;
    for (const call of [
      () => b.responses.retrieve(id),
      () => b.responses.cancel(id),
      () => b.responses.retrieve(id, { stream: true }),
    ]) {
      expect(await call().catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    }
    const ended = await Promise.all(runs.map((r) => a.responses.cancel(r.id)));
    expect(ended.map((r) => r.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    // Deleting a running one cancels it first: nothing keeps writing it.
    const aborted = fake.aborted;
    await b.responses.delete(other.id);
    expect(await b.responses.retrieve(other.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    await eventually(() => (fake.aborted > aborted ? true : undefined));
  });

  // Last: it restarts the gateway.
  it("a gateway stopped mid-run fails it (gateway_shutdown); one killed leaves it to be failed (interrupted) at its restart", async () => {
    fake.script = slow(400, 50);
    const stopped = await client.responses.create({ model: MODEL, input: "x", background: true });
    await eventually(async () => ((await client.responses.retrieve(stopped.id)).output_text ? true : undefined));
    await gw.stop();
    const [row] = gw.query("SELECT status, body, finishedAt FROM StoredResponse WHERE id = ?", stopped.id);
    expect(row).toMatchObject({ status: "failed", finishedAt: expect.any(Number) });
    expect(JSON.parse(row.body).error.message).toMatch(/shutting down/);
    gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: ADMIN }, gw.dbPath);
    client = sdk(ADMIN);

    const created = await client.responses.create({ model: MODEL, input: "x", background: true });
    await eventually(async () => ((await client.responses.retrieve(created.id)).output_text ? true : undefined));
    gw.kill("SIGKILL");
    gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: ADMIN, OLLAMA_TIMEOUT_MS: "1000" }, gw.dbPath);
    client = sdk(ADMIN);
    const failed = await eventually(async () => {
      const r = await client.responses.retrieve(created.id);
      return r.status === "failed" ? r : undefined;
    });
    expectResponse(failed);
    expect(failed.error?.message).toMatch(/interrupted/);
    expect(failed.output_text).toMatch(/^w0 /);
    // The run's timeout (OLLAMA_TIMEOUT_MS) bounds a background run as any other.
    const timedOut = await settled((await client.responses.create({ model: MODEL, input: "t", background: true })).id);
    expect(timedOut.status).toBe("failed");
    expect(timedOut.error?.message).toMatch(/timed out|timeout/i);
  });
});
