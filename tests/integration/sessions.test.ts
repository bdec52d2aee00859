import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";

let fake: FakeOllama;
let gw: Gateway;

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

describe("X-Session-ID with Ollama", () => {
  it("keeps the history in the database, across a gateway restart", async () => {
    const sid = `s-${Date.now()}`;
    const first = await gw.openai({ sessionId: sid }).chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: [
        { role: "system", content: "You are a parrot." },
        { role: "user", content: "my name is Ada" },
      ],
    });
    expect(first.choices[0]?.message.content).toBe("Echo: my name is Ada");

    await gw.stop();
    gw = await startGateway({ OLLAMA_URL: fake.url }, gw.dbPath);

    await gw.openai({ sessionId: sid }).chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: [{ role: "user", content: "what is my name?" }],
    });
    expect(fake.chats().at(-1)?.messages).toEqual([
      { role: "system", content: "You are a parrot." },
      { role: "user", content: "my name is Ada" },
      { role: "assistant", content: "Echo: my name is Ada" },
      { role: "user", content: "what is my name?" },
    ]);
    const [session] = gw.query("SELECT * FROM Session WHERE id = ?", sid);
    expect(session).toMatchObject({ provider: "ollama", turnCount: 2, title: "my name is Ada" });
    expect(gw.query("SELECT role FROM SessionMessage WHERE sessionId = ? ORDER BY id", sid).map((r) => r.role)).toEqual(
      ["user", "assistant", "user", "assistant"],
    );
    expect(gw.records().filter((r) => r.sessionId === sid)).toHaveLength(2);
  });

  it("a streamed turn is stored too; a failed first turn stores nothing", async () => {
    const sid = `stream-${Date.now()}`;
    fake.script = () => ({ httpError: { status: 500, message: "crash" } });
    await gw
      .openai({ sessionId: sid })
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "lost" }] })
      .catch(() => {});
    expect(gw.query("SELECT * FROM Session WHERE id = ?", sid)).toHaveLength(0);
    fake.script = () => undefined;
    const stream = await gw.openai({ sessionId: sid }).chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: [{ role: "user", content: "kept" }],
      stream: true,
    });
    for await (const _ of stream);
    await eventually(() => gw.query("SELECT * FROM Session WHERE id = ?", sid).length === 1);
    await gw.openai({ sessionId: sid }).chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: [{ role: "user", content: "again" }],
    });
    expect(fake.chats().at(-1)?.messages).toEqual([
      { role: "user", content: "kept" },
      { role: "assistant", content: "Echo: kept" },
      { role: "user", content: "again" },
    ]);
  });

  it("serves two requests on one session one after the other, never interleaved", async () => {
    const sid = `conc-${Date.now()}`;
    fake.script = () => ({ chunks: ["slow ", "answer"], delayMs: 300 });
    const client = gw.openai({ sessionId: sid });
    const ask = (content: string) =>
      client.chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content }] });
    const before = fake.chats().length;
    const [a, b] = await Promise.all([ask("first"), ask("second")]);
    expect(a.choices[0]?.message.content).toBe("slow answer");
    expect(b.choices[0]?.message.content).toBe("slow answer");
    const sent = fake.chats().slice(before);
    expect(sent).toHaveLength(2);
    // The second request saw the first one's whole turn: it started after the first ended.
    const [x, y] = sent;
    expect(y?.messages.slice(0, 2)).toEqual([x?.messages[0], { role: "assistant", content: "slow answer" }]);
    fake.script = () => undefined;
  });

  it("refuses to continue a session with another provider's model", async () => {
    const sid = `mix-${Date.now()}`;
    await gw.openai({ sessionId: sid }).chat.completions.create({
      model: "ollama/qwen3:8b",
      messages: [{ role: "user", content: "hi" }],
    });
    const e = await gw
      .openai({ sessionId: sid })
      .chat.completions.create({ model: "claude-code", messages: [{ role: "user", content: "hi" }] })
      .catch((x) => x);
    expect(e.status).toBe(400);
    expect(e.code).toBe("session_provider_mismatch");
    expect(e.param).toBe("X-Session-ID");
  });
});

describe("client disconnect", () => {
  it("aborts the upstream request and records the request as cancelled (stream)", async () => {
    fake.script = () => ({ chunks: Array.from({ length: 20 }, (_, i) => `w${i} `), delayMs: 200 });
    const abortedBefore = fake.aborted;
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "long" }], stream: true }),
      signal: controller.signal,
    });
    const id = res.headers.get("x-request-id");
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await eventually(() => fake.aborted > abortedBefore, 5_000);
    const rec = await eventually(() => gw.records().find((r) => r.id === id));
    expect(rec).toMatchObject({ status: "cancelled", stream: 1 });
    fake.script = () => undefined;
  });

  it("aborts a non-streaming request too", async () => {
    fake.script = () => ({ chunks: Array.from({ length: 20 }, (_, i) => `w${i} `), delayMs: 200 });
    const abortedBefore = fake.aborted;
    const before = gw.records().length;
    const controller = new AbortController();
    const pending = fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "long" }] }),
      signal: controller.signal,
    }).catch(() => null);
    await eventually(() => fake.chats().length > 0 && fake.requests.at(-1)?.path === "/api/chat");
    await new Promise((r) => setTimeout(r, 500));
    controller.abort();
    await pending;
    await eventually(() => fake.aborted > abortedBefore, 5_000);
    const rec = await eventually(() =>
      gw
        .records()
        .slice(before)
        .find((r) => r.status === "cancelled"),
    );
    expect(rec).toMatchObject({ stream: 0, status: "cancelled" });
    fake.script = () => undefined;
  });
});
