import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDb } from "../../../tests/helpers/gateway";
import { seedRequests, seedSession } from "../../../tests/helpers/seed";

type Caller = ReturnType<typeof import("./root")["createCaller"]>;
let caller: Caller;
let anonymous: Caller;

beforeAll(async () => {
  const db = tempDb();
  process.env.USAGE_DB_PATH = db;
  process.env.OLLAMA_URL = "http://127.0.0.1:9"; // nothing listens on the discard port: Ollama is down
  seedRequests(db, [
    {
      id: "r1",
      minutesAgo: 10,
      model: "ollama/a",
      provider: "ollama",
      promptTokens: 10,
      completionTokens: 5,
      durationMs: 100,
    },
    {
      id: "r2",
      minutesAgo: 20,
      model: "ollama/a",
      provider: "ollama",
      promptTokens: 20,
      completionTokens: 5,
      durationMs: 300,
    },
    {
      id: "r3",
      minutesAgo: 30,
      model: "sonnet",
      provider: "claude-code",
      costUsd: 0.5,
      durationMs: 2000,
      sessionId: "s1",
    },
    {
      id: "r4",
      minutesAgo: 40,
      model: "sonnet",
      provider: "claude-code",
      status: "error",
      httpStatus: 503,
      errorMessage: "overloaded",
    },
    { id: "r5", minutesAgo: 3 * 1440, model: "opus", provider: "claude-code" },
  ]);
  seedSession(db, { id: "s1", provider: "claude-code", model: "sonnet", title: "Hello", turns: [["hi", "hello"]] });
  const { createCaller } = await import("./root");
  caller = createCaller({ authorized: true });
  anonymous = createCaller({ authorized: false });
});

describe("tRPC routers (createCaller, seeded database)", () => {
  it("usage: summary, by model, series and latest errors for a range", async () => {
    const s = await caller.usage.summary({ range: "24h" });
    expect(s).toMatchObject({ requests: 4, errors: 1, promptTokens: 50, completionTokens: 20, costUsd: 0.5 });
    expect(s.errorRate).toBeCloseTo(0.25);
    expect((await caller.usage.summary({ range: "all" })).requests).toBe(5);
    const models = await caller.usage.byModel({ range: "24h" });
    expect(models.find((m) => m.model === "ollama/a")).toMatchObject({
      requests: 2,
      prompt_tokens: 30,
      avg_duration_ms: 200,
    });
    const series = await caller.usage.timeSeries({ range: "24h" });
    expect(series.points.reduce((n, p) => n + p.requests, 0)).toBe(4);
    expect(series.step).toBeGreaterThan(0);
    expect(series.from).toBeLessThan(series.to ?? 0);
    const errors = await caller.usage.latestErrors({ range: "24h", limit: 5 });
    expect(errors.map((e) => e.id)).toEqual(["r4"]);
  });

  it("requests: filtered list with a cursor, and detail", async () => {
    const first = await caller.requests.list({ provider: "claude-code", limit: 2 });
    expect(first.items.map((r) => r.id)).toEqual(["r3", "r4"]);
    const second = await caller.requests.list({ provider: "claude-code", limit: 2, cursor: first.nextCursor });
    expect(second.items.map((r) => r.id)).toEqual(["r5"]);
    expect(second.nextCursor).toBeNull();
    expect((await caller.requests.list({ status: "error" })).items.map((r) => r.id)).toEqual(["r4"]);
    expect((await caller.requests.list({ sessionId: "s1" })).items.map((r) => r.id)).toEqual(["r3"]);
    expect((await caller.requests.detail({ id: "r4" })).errorMessage).toBe("overloaded");
    await expect(caller.requests.detail({ id: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const opts = await caller.requests.filterOptions();
    expect(opts.providers.sort()).toEqual(["claude-code", "ollama"]);
  });

  it("sessions: list and transcript", async () => {
    const list = await caller.sessions.list({ limit: 10 });
    expect(list.items.map((s) => s.id)).toEqual(["s1"]);
    const t = await caller.sessions.transcript({ id: "s1" });
    expect(t.turns).toHaveLength(1);
    expect(t.turns[0]?.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("inputs are validated and every procedure needs the console login", async () => {
    await expect(caller.usage.summary({ range: "3y" as never })).rejects.toBeInstanceOf(TRPCError);
    await expect(caller.requests.list({ cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.sessions.list({ cursor: "garbage" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("every procedure of the router needs the console login", async () => {
    const { appRouter } = await import("./root");
    const paths = Object.keys(appRouter._def.procedures);
    expect(paths.length).toBeGreaterThanOrEqual(10);
    // A valid input for each, so the refusal cannot come from input validation.
    const a = await caller.keys.create({ name: "for get, update, revoke" });
    const b = await caller.keys.create({ name: "for rotate" });
    const inputs: Record<string, unknown> = {
      "keys.get": { id: a.id },
      "keys.create": { name: "another" },
      "keys.update": { id: a.id, changes: { rpm_limit: 5 } },
      "keys.revoke": { id: a.id },
      "keys.rotate": { id: b.id },
      "keys.usage": { range: "24h" },
      "requests.detail": { id: "r1" },
      "requests.cancelBackground": { id: "r1" },
      "sessions.transcript": { id: "s1" },
      "requests.list": {},
      "sessions.list": {},
      "usage.latestErrors": { range: "24h" },
      "models.ollamaHosts": { range: "24h" },
    };
    for (const path of paths) {
      const input = inputs[path] ?? (path.startsWith("usage.") ? { range: "24h" } : undefined);
      const call = (c: Caller) => path.split(".").reduce((o: any, k) => o[k], c)(input);
      await expect(call(anonymous), path).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      await expect(call(caller), path).resolves.toBeDefined();
    }
  });

  it("models.list gives the models of /v1/models and whether Ollama answers", async () => {
    const list = await caller.models.list();
    expect(list.models.map((m) => m.id)).toContain("claude-code");
    expect(list.models.every((m) => m.object === "model")).toBe(true);
    expect(list.models.some((m) => m.owned_by === "ollama")).toBe(false);
    expect(list.ollama.reachable).toBe(false);
  });

  it("sessions.transcript of an unknown session is NOT_FOUND", async () => {
    await expect(caller.sessions.transcript({ id: "no-such-session" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
