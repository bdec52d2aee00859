import { beforeAll, describe, expect, it } from "vitest";
import { exec, freshDb, insertRequests, prng, query, type SeedRow } from "../../../tests/helpers/seed";

const M = 60_000;
const NOW = Date.UTC(2026, 0, 10, 12, 30, 0);
const MODELS = [
  ["ollama/qwen3:8b", "ollama"],
  ["ollama/gemma3:12b", "ollama"],
  ["sonnet", "claude-code"],
] as const;
const STATUSES = ["ok", "ok", "ok", "error", "cancelled"] as const;

let file: string;
let Q: typeof import("./queries");

beforeAll(async () => {
  file = freshDb("requests");
  const rnd = prng(11);
  const rows: SeedRow[] = [];
  // 600 rows, three per timestamp (ties broken by id), ids in no particular order.
  for (let i = 0; i < 600; i++) {
    const [model, provider] = MODELS[Math.floor(rnd() * MODELS.length)]!;
    rows.push({
      id: `req_${Math.floor(rnd() * 1e9).toString(36)}_${i}`,
      at: NOW - Math.floor(i / 3) * M,
      model,
      provider,
      status: STATUSES[Math.floor(rnd() * STATUSES.length)]!,
      sessionId: rnd() < 0.2 ? `s${Math.floor(rnd() * 3)}` : null,
      promptTokens: i,
      completionTokens: 1,
      durationMs: 10 + i,
      stream: i % 2 === 0,
    });
  }
  rows.push({
    id: "detail",
    at: NOW + M,
    model: "sonnet",
    provider: "claude-code",
    status: "error",
    httpStatus: 504,
    errorType: "timeout_error",
    errorCode: "timeout",
    errorMessage: "The run exceeded its timeout",
    sessionId: "s9",
    promptTokens: 12,
    completionTokens: 3,
    cachedTokens: 2,
    costUsd: 0.125,
    durationMs: 600_000,
    ttftMs: 900,
    stream: true,
  });
  insertRequests(file, rows);
  // Ollama's records name the host that served them (two hosts here).
  exec(
    file,
    "UPDATE Request SET upstreamHost = CASE WHEN promptTokens % 2 = 0 THEN 'gpu1:11434' ELSE 'gpu2:11434' END WHERE provider = 'ollama'",
  );
  const prompt = JSON.stringify([{ role: "user", content: "Hi" }]);
  exec(file, "INSERT INTO RequestContent (requestId, prompt, answer) VALUES (?, ?, ?)", "detail", prompt, "Hello!");
  exec(
    file,
    "INSERT INTO RequestContent (requestId, prompt, answer) VALUES (?, ?, ?)",
    rows[0]!.id,
    "[{…[truncated]",
    "",
  );
  Q = await import("./queries");
});

type Filter = Parameters<typeof import("./queries")["listRequests"]>[0];

/** Every id matching the filter, newest first, the slow way. */
function reference(f: Filter): string[] {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const k of ["model", "provider", "status", "sessionId", "upstreamHost"] as const) {
    if (f[k] !== undefined) {
      where.push(`${k} = ?`);
      params.push(f[k]);
    }
  }
  if (f.since) {
    where.push("createdAt >= ?");
    params.push(f.since.getTime());
  }
  if (f.until) {
    where.push("createdAt < ?");
    params.push(f.until.getTime());
  }
  const sql = `SELECT id FROM Request ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY createdAt DESC, id DESC`;
  return query<{ id: string }>(file, sql, ...params).map((r) => r.id);
}

async function allPages(f: Filter, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof Q.listRequests>> = await Q.listRequests(f, { cursor, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor) expect(page.items).toHaveLength(limit);
    ids.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 1000);
  return { ids, pages };
}

describe("listRequests", () => {
  const filters: Array<[string, Filter]> = [
    ["none", {}],
    ["model", { model: "ollama/gemma3:12b" }],
    ["provider", { provider: "claude-code" }],
    ["status", { status: "cancelled" }],
    ["session", { sessionId: "s1" }],
    ["range", { since: new Date(NOW - 100 * M), until: new Date(NOW - 20 * M) }],
    ["model+status+range", { model: "ollama/qwen3:8b", status: "ok", since: new Date(NOW - 150 * M) }],
    ["provider+session", { provider: "ollama", sessionId: "s2" }],
    ["status ok", { status: "ok" }],
    ["provider+model", { provider: "ollama", model: "ollama/gemma3:12b" }],
    ["contradictory", { provider: "claude-code", model: "ollama/gemma3:12b" }],
    ["nothing", { model: "nope" }],
    ["host", { upstreamHost: "gpu2:11434" }],
    ["host+model+status", { upstreamHost: "gpu1:11434", model: "ollama/qwen3:8b", status: "error" }],
  ];

  it.each(filters)("pages through every match exactly once, newest first (%s)", async (_name, f) => {
    const want = reference(f);
    for (const limit of [7, 50]) {
      const { ids, pages } = await allPages(f, limit);
      expect(ids).toEqual(want);
      expect(new Set(ids).size).toBe(ids.length);
      expect(pages).toBe(Math.max(1, Math.ceil(want.length / limit)));
    }
  });

  it("returns the list columns", async () => {
    const { items, nextCursor } = await Q.listRequests({ sessionId: "s9" }, {});
    expect(nextCursor).toBeNull();
    expect(items).toEqual([
      {
        id: "detail",
        createdAt: new Date(NOW + M),
        model: "sonnet",
        provider: "claude-code",
        upstreamModel: null,
        stream: true,
        sessionId: "s9",
        status: "error",
        httpStatus: 504,
        errorType: "timeout_error",
        promptTokens: 12,
        completionTokens: 3,
        totalTokens: 15,
        costUsd: 0.125,
        durationMs: 600_000,
        ttftMs: 900,
        endpoint: "/v1/chat/completions",
        keyId: null,
        upstreamHost: null,
        background: null,
        steps: 0,
      },
    ]);
  });

  it("returns the endpoint of a call that named no model (a 401 on /v1/models), in the list and the detail", async () => {
    insertRequests(file, [
      { id: "m401", at: NOW - M, model: "", provider: "", status: "error", httpStatus: 401, sessionId: "s401" },
    ]);
    exec(file, "UPDATE Request SET endpoint = '/v1/models' WHERE id = 'm401'");
    const { items } = await Q.listRequests({ sessionId: "s401" }, {});
    expect(items.map((r) => [r.id, r.model, r.endpoint])).toEqual([["m401", "", "/v1/models"]]);
    expect(await Q.requestDetail("m401")).toMatchObject({ model: "", httpStatus: 401, endpoint: "/v1/models" });
    exec(file, "DELETE FROM Request WHERE id = 'm401'");
  });

  it("shows the status of the background response a request made, in the list and the detail", async () => {
    insertRequests(file, [{ id: "bg1", at: NOW - M, sessionId: "sbg" }]);
    exec(file, "UPDATE Request SET status = 'running' WHERE id = 'bg1'");
    exec(
      file,
      `INSERT INTO StoredResponse (id, requestId, model, createdAt, body, background, status) VALUES ('resp_bg1', 'bg1', 'm', ?, '{}', 1, 'in_progress')`,
      NOW - M,
    );
    const { items } = await Q.listRequests({ sessionId: "sbg" }, {});
    expect(items.map((r) => [r.id, r.status, r.background])).toEqual([["bg1", "running", "in_progress"]]);
    expect(await Q.requestDetail("bg1")).toMatchObject({ background: "in_progress" });
    exec(file, "DELETE FROM StoredResponse WHERE id = 'resp_bg1'");
    exec(file, "DELETE FROM Request WHERE id = 'bg1'");
  });

  it("pages 50 by default and 200 at most", async () => {
    expect((await Q.listRequests({}, {})).items).toHaveLength(50);
    expect((await Q.listRequests({}, { limit: 1000 })).items).toHaveLength(200);
    expect((await Q.listRequests({}, { limit: 0 })).items).toHaveLength(1);
  });

  it("does not repeat or skip rows when newer ones arrive between pages", async () => {
    const want = reference({ provider: "ollama" });
    const first = await Q.listRequests({ provider: "ollama" }, { limit: 20 });
    insertRequests(file, [{ id: "late", at: NOW + 2 * M, provider: "ollama" }]);
    const second = await Q.listRequests({ provider: "ollama" }, { limit: 20, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((r) => r.id)).toEqual(want.slice(0, 40));
    expect((await Q.listRequests({ provider: "ollama" }, { limit: 1 })).items[0]?.id).toBe("late");
    exec(file, "DELETE FROM Request WHERE id = 'late'");
  });

  it("refuses a cursor it did not make", async () => {
    await expect(Q.listRequests({}, { cursor: "not-a-cursor" })).rejects.toBeInstanceOf(Q.InvalidCursorError);
    await expect(Q.listRequests({}, { cursor: Buffer.from("x:y").toString("base64url") })).rejects.toThrow(
      /Invalid cursor/,
    );
  });
});

describe("requestDetail", () => {
  it("returns every column and the stored prompt (parsed) and answer", async () => {
    const d = await Q.requestDetail("detail");
    expect(d).toEqual({
      id: "detail",
      createdAt: new Date(NOW + M),
      model: "sonnet",
      provider: "claude-code",
      upstreamModel: null,
      stream: true,
      sessionId: "s9",
      status: "error",
      httpStatus: 504,
      errorType: "timeout_error",
      errorCode: "timeout",
      errorMessage: "The run exceeded its timeout",
      finishReason: null,
      promptTokens: 12,
      completionTokens: 3,
      totalTokens: 15,
      cachedTokens: 2,
      costUsd: 0.125,
      durationMs: 600_000,
      ttftMs: 900,
      userAgent: "test",
      clientAddress: null,
      endpoint: "/v1/chat/completions",
      keyId: null,
      upstreamHost: null,
      background: null,
      content: { prompt: [{ role: "user", content: "Hi" }], answer: "Hello!" },
      loop: { previous: null, next: [], toolWaitMs: null },
      steps: [],
    });
  });

  it("keeps a prompt that is not JSON (clipped) as text, and content null when none was stored", async () => {
    const newest = reference({}).filter((id) => id !== "detail");
    const clipped = query<{ requestId: string }>(file, "SELECT requestId FROM RequestContent WHERE answer = ''")[0]!;
    expect((await Q.requestDetail(clipped.requestId))?.content).toEqual({ prompt: "[{…[truncated]", answer: "" });
    const other = newest.find((id) => id !== clipped.requestId)!;
    expect((await Q.requestDetail(other))?.content).toBeNull();
    expect(await Q.requestDetail("no-such-request")).toBeNull();
  });
});
