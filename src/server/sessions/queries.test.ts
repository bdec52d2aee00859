import { beforeAll, describe, expect, it } from "vitest";
import { exec, freshDb, query } from "../../../tests/helpers/seed";

const M = 60_000;
const NOW = Date.UTC(2026, 0, 10, 12, 30, 0);

let file: string;
let Q: typeof import("./queries");

const insertSession = (id: string, provider: string, lastUsedAt: number, extra: { turnCount?: number } = {}) =>
  exec(
    file,
    `INSERT INTO Session (id, provider, model, upstreamSessionId, systemPrompt, title, createdAt, lastUsedAt, turnCount,
      promptTokens, completionTokens, totalTokens) VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, 1, 2, 3)`,
    id,
    provider,
    provider === "ollama" ? "ollama/qwen3:8b" : "sonnet",
    `Title ${id}`,
    lastUsedAt - 60 * M,
    lastUsedAt,
    extra.turnCount ?? 1,
  );

const insertMessage = (
  sessionId: string,
  turn: number,
  message: Record<string, unknown>,
  at: number,
  requestId: string | null,
  tokens: [number, number] | null = null,
) =>
  exec(
    file,
    `INSERT INTO SessionMessage (sessionId, turn, role, content, requestId, promptTokens, completionTokens, createdAt)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    sessionId,
    turn,
    message.role,
    JSON.stringify(message),
    requestId,
    tokens?.[0] ?? null,
    tokens?.[1] ?? null,
    at,
  );

const toolCall = { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } };

beforeAll(async () => {
  file = freshDb("sessions");
  // 25 sessions, two per lastUsedAt (ties broken by id), providers mixed.
  for (let i = 0; i < 25; i++)
    insertSession(`s${String(i).padStart(2, "0")}`, i % 3 ? "ollama" : "claude-code", NOW - Math.floor(i / 2) * M);
  exec(
    file,
    `INSERT INTO Session (id, provider, model, upstreamSessionId, systemPrompt, title, createdAt, lastUsedAt, turnCount,
      promptTokens, completionTokens, totalTokens) VALUES ('rich', 'ollama', 'ollama/qwen3:8b', 'up-1', 'Be brief.',
      'Hi there', ?, ?, 2, 40, 9, 49)`,
    NOW - 100 * M,
    NOW - 90 * M,
  );
  insertMessage("rich", 1, { role: "user", content: "Hi there" }, NOW - 100 * M, "req_1");
  insertMessage("rich", 1, { role: "assistant", content: "Hello" }, NOW - 100 * M, "req_1", [10, 2]);
  insertMessage("rich", 2, { role: "user", content: [{ type: "text", text: "Look x up" }] }, NOW - 90 * M, "req_2");
  insertMessage("rich", 2, { role: "assistant", content: null, tool_calls: [toolCall] }, NOW - 90 * M, "req_2");
  insertMessage("rich", 2, { role: "tool", tool_call_id: "call_1", content: "x = 1" }, NOW - 90 * M, "req_2");
  insertMessage("rich", 2, { role: "assistant", content: "x is 1" }, NOW - 90 * M, "req_2", [30, 7]);
  Q = await import("./queries");
});

function reference(provider?: string): string[] {
  const where = provider ? "WHERE provider = ?" : "";
  const params = provider ? [provider] : [];
  return query<{ id: string }>(
    file,
    `SELECT id FROM Session ${where} ORDER BY lastUsedAt DESC, id DESC`,
    ...params,
  ).map((r) => r.id);
}

async function allPages(opts: { provider?: string; limit: number }) {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof Q.listSessions>> = await Q.listSessions({ ...opts, cursor });
    ids.push(...page.items.map((s) => s.id));
    cursor = page.nextCursor;
  } while (cursor && ids.length < 1000);
  return ids;
}

describe("listSessions", () => {
  it.each([[undefined], ["ollama"], ["claude-code"], ["none"]])(
    "pages through every session once, most recently used first (provider %s)",
    async (provider) => {
      for (const limit of [4, 50]) expect(await allPages({ provider, limit })).toEqual(reference(provider));
    },
  );

  it("returns the list columns", async () => {
    const { items, nextCursor } = await Q.listSessions({ limit: 1 });
    expect(items).toEqual([
      {
        id: "s01",
        provider: "ollama",
        model: "ollama/qwen3:8b",
        title: "Title s01",
        turnCount: 1,
        promptTokens: 1,
        completionTokens: 2,
        totalTokens: 3,
        createdAt: new Date(NOW - 60 * M),
        lastUsedAt: new Date(NOW),
        keyId: null,
      },
    ]);
    expect(nextCursor).toEqual(expect.any(String));
    expect((await Q.listSessions()).items).toHaveLength(26);
  });

  it("refuses a cursor it did not make", async () => {
    await expect(Q.listSessions({ cursor: "%%%" })).rejects.toBeInstanceOf(Q.InvalidCursorError);
  });
});

describe("sessionTranscript", () => {
  it("groups the stored messages by turn, with each turn's usage from its last message", async () => {
    expect(await Q.sessionTranscript("rich")).toEqual({
      session: {
        id: "rich",
        provider: "ollama",
        model: "ollama/qwen3:8b",
        title: "Hi there",
        turnCount: 2,
        promptTokens: 40,
        completionTokens: 9,
        totalTokens: 49,
        createdAt: new Date(NOW - 100 * M),
        lastUsedAt: new Date(NOW - 90 * M),
        keyId: null,
        upstreamSessionId: "up-1",
        systemPrompt: "Be brief.",
      },
      turns: [
        {
          turn: 1,
          requestId: "req_1",
          createdAt: new Date(NOW - 100 * M),
          promptTokens: 10,
          completionTokens: 2,
          messages: [
            { role: "user", content: { role: "user", content: "Hi there" } },
            { role: "assistant", content: { role: "assistant", content: "Hello" } },
          ],
          steps: [],
        },
        {
          turn: 2,
          requestId: "req_2",
          createdAt: new Date(NOW - 90 * M),
          promptTokens: 30,
          completionTokens: 7,
          messages: [
            { role: "user", content: { role: "user", content: [{ type: "text", text: "Look x up" }] } },
            { role: "assistant", content: { role: "assistant", content: null, tool_calls: [toolCall] } },
            { role: "tool", content: { role: "tool", tool_call_id: "call_1", content: "x = 1" } },
            { role: "assistant", content: { role: "assistant", content: "x is 1" } },
          ],
          steps: [],
        },
      ],
    });
  });

  it("is null for an unknown session and has no turns for a session without messages", async () => {
    expect(await Q.sessionTranscript("nope")).toBeNull();
    expect((await Q.sessionTranscript("s00"))?.turns).toEqual([]);
  });

  it("reads what the chat service's commitTurn stores", async () => {
    const { commitTurn } = await import("./store");
    for (const [i, text] of ["one", "two"].entries()) {
      await commitTurn({
        sessionId: "live",
        provider: "ollama",
        model: "ollama/qwen3:8b",
        upstreamSessionId: null,
        systemPrompt: null,
        messages: [
          { role: "user", content: text },
          { role: "assistant", content: `re: ${text}` },
        ],
        requestId: `req_live_${i}`,
        usage: { promptTokens: 5 + i, completionTokens: 1, cachedTokens: 0 },
        title: "one",
      });
    }
    const t = await Q.sessionTranscript("live");
    expect(t?.session).toMatchObject({ turnCount: 2, promptTokens: 11, completionTokens: 2, totalTokens: 13 });
    expect(t?.turns.map((x) => [x.turn, x.requestId, x.promptTokens, x.completionTokens, x.messages.length])).toEqual([
      [1, "req_live_0", 5, 1, 2],
      [2, "req_live_1", 6, 1, 2],
    ]);
    expect((await Q.listSessions({ limit: 1 })).items[0]?.id).toBe("live");
  });
});
