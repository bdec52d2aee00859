/**
 * Background responses on two instances sharing one PostgreSQL (issue 26): a run created on A is polled,
 * streamed from `starting_after` and cancelled on B; A killed mid-run leaves it `failed` (interrupted)
 * within the lease bound, swept by B.
 */
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FakeOllama } from "../fakes/ollama";
import { eventually, type Gateway } from "../helpers/gateway";
import { expectResponse, responsesValidatingFetch } from "../helpers/openai-responses";
import { type PgInstances, twoInstancesOnPg } from "../helpers/pg-instances";
import { ADMIN } from "./keys-client";

const LEASE_MS = 2_000;
let fake: FakeOllama;
let a: Gateway;
let b: Gateway;
let pair: PgInstances | undefined;
const failures: string[] = [];
const MODEL = "ollama/qwen3:8b";
const sdk = (gw: Gateway) =>
  new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: ADMIN, maxRetries: 0, fetch: responsesValidatingFetch(failures) });
const slow = (n: number, delayMs: number) => () => ({
  chunks: Array.from({ length: n }, (_, i) => `w${i} `),
  delayMs,
});

beforeAll(async () => {
  pair = await twoInstancesOnPg({ CLAUDE_AUTH_KEY: ADMIN, BACKGROUND_LEASE_MS: String(LEASE_MS) }, "bg");
  ({ fake, a, b } = pair);
});
afterAll(() => pair?.stop());
afterEach(() => expect(failures.splice(0)).toEqual([]));

describe("background responses on two instances (PostgreSQL)", () => {
  it("created on A: polled, streamed from starting_after and resumed on B, with every event once", async () => {
    fake.script = slow(10, 60);
    const created = await sdk(a).responses.create({ model: MODEL, input: "x", background: true });
    const onB = sdk(b);
    const partial = await eventually(async () => {
      const r = await onB.responses.retrieve(created.id);
      return r.status === "in_progress" && r.output_text ? r : undefined;
    });
    expectResponse(partial);
    const first: any[] = [];
    for await (const e of await onB.responses.retrieve(created.id, { stream: true, starting_after: 1 })) {
      first.push(e);
      if (first.length === 4) break;
    }
    const rest: any[] = [];
    const after = first.at(-1).sequence_number;
    for await (const e of await onB.responses.retrieve(created.id, { stream: true, starting_after: after }))
      rest.push(e);
    const seqs = [...first, ...rest].map((e) => e.sequence_number);
    expect(seqs).toEqual(seqs.map((_, i) => i + 2));
    expect(rest.at(-1)).toMatchObject({ type: "response.completed" });
    const done = await onB.responses.retrieve(created.id);
    expect(done.status).toBe("completed");
    expect(done.output_text).toBe(Array.from({ length: 10 }, (_, i) => `w${i} `).join(""));
  });

  it("cancelled on B while A runs it: A stops its upstream request, cancelled on both", async () => {
    fake.script = slow(200, 50);
    const aborted = fake.aborted;
    const created = await sdk(a).responses.create({ model: MODEL, input: "x", background: true });
    await eventually(async () => ((await sdk(b).responses.retrieve(created.id)).output_text ? true : undefined));
    const t0 = Date.now();
    const cancelled = await sdk(b).responses.cancel(created.id);
    expect(cancelled.status).toBe("cancelled");
    expect(Date.now() - t0).toBeLessThan(LEASE_MS);
    await eventually(() => (fake.aborted > aborted ? true : undefined));
    expect((await sdk(a).responses.retrieve(created.id)).status).toBe("cancelled");
  });

  it("A killed mid-run: B marks the run failed (interrupted) within the lease bound", async () => {
    fake.script = slow(400, 50);
    const created = await sdk(a).responses.create({ model: MODEL, input: "x", background: true });
    await eventually(async () => ((await sdk(b).responses.retrieve(created.id)).output_text ? true : undefined));
    a.kill("SIGKILL");
    const t0 = Date.now();
    const failed = await eventually(
      async () => {
        const r = await sdk(b).responses.retrieve(created.id);
        return r.status === "failed" ? r : undefined;
      },
      (LEASE_MS * 4) / 3 + 3_000,
    );
    // The bound: the lease (renewed every third of it) plus one sweep, a third of a lease.
    expect(Date.now() - t0).toBeLessThan((LEASE_MS * 5) / 3 + 1_000);
    expect(failed.error).toMatchObject({ code: "server_error" });
    expect(failed.error?.message).toMatch(/interrupted/);
    // Its stream ends (no reader waits forever).
    const events: any[] = [];
    for await (const e of await sdk(b).responses.retrieve(created.id, { stream: true })) events.push(e);
    expect(events.length).toBeGreaterThan(2);
  });
});
