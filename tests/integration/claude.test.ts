import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationTexts, imageBlocks, systemText } from "../fakes/anthropic";
import { type ClaudeSetup, claudePids, startClaudeGateway, turnPids } from "../helpers/claude";
import { eventually } from "../helpers/gateway";
import { expectChunk, expectCompletion } from "../helpers/schema";
import { exec } from "../helpers/seed";

let c: ClaudeSetup;

beforeAll(async () => {
  c = await startClaudeGateway();
});
afterAll(async () => {
  await c?.close();
});

const user = (content: string) => [{ role: "user" as const, content }];
const lastMain = () => c.fake.mainRequests().at(-1);

describe("Claude Code through the OpenAI API", () => {
  it("answers without streaming, with usage (cache tokens counted) and cost recorded", async () => {
    const { data, response } = await c.gw
      .openai()
      .chat.completions.create({ model: "claude-code", messages: user("hello world") })
      .withResponse();
    expectCompletion(data);
    expect(data.choices[0]?.message.content).toBe("Echo: hello world");
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({
      prompt_tokens: 21 + 5 + 3,
      completion_tokens: 3,
      total_tokens: 32,
      prompt_tokens_details: { cached_tokens: 3 },
    });
    const id = response.headers.get("x-request-id");
    const rec = await eventually(() => c.gw.records().find((r) => r.id === id));
    expect(rec).toMatchObject({ provider: "claude-code", status: "ok", promptTokens: 29, cachedTokens: 3 });
    expect(rec.costUsd).toBeGreaterThan(0);
    expect(await turnPids(c)).toEqual([]);
  });

  it("streams text deltas as they arrive, then finish, usage and [DONE]", async () => {
    const stream = await c.gw.openai().chat.completions.create({
      model: "claude-code",
      messages: user("one two three four [[fake:slow=300]]"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const times: number[] = [];
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (chunk.choices[0]?.delta.content) times.push(Date.now());
    }
    for (const ch of chunks) expectChunk(ch);
    const text = chunks.map((ch) => ch.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Echo: one two three four");
    // Token by token: several content chunks, spread over the fake's pacing (not one buffered burst).
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(600);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 29, prompt_tokens_details: { cached_tokens: 3 } });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("passes the model, the system prompt (appended) and images to Claude", async () => {
    // A valid 1×1 PNG (the CLI drops images it cannot read).
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    await c.gw.openai().chat.completions.create({
      model: "sonnet",
      messages: [
        { role: "system", content: "Always answer like a pirate." },
        {
          role: "user",
          content: [
            { type: "text", text: "describe" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
      ],
    });
    const req = lastMain();
    expect(systemText(req?.body)).toContain("Always answer like a pirate.");
    expect(systemText(req?.body)).not.toBe("Always answer like a pirate."); // appended to Claude Code's own
    expect(imageBlocks(req?.body).map((b) => b.source?.data)).toEqual([png]);
    expect(String(req?.body.model)).toMatch(/sonnet/);
  });

  it("runs in CLAUDE_WORKDIR; a huge system prompt goes through a file that is removed afterwards", async () => {
    const big = `Rule zero.\u0000 ${"be kind and exact; ".repeat(12_000)}Last rule.`; // ~230 KB: too big for argv
    const stream = await c.gw.openai().chat.completions.create({
      model: "claude-code",
      messages: [
        { role: "system", content: big },
        { role: "user", content: "x y z [[fake:slow=300]]" },
      ],
      stream: true,
    });
    let cwd: string | null = null;
    let text = "";
    for await (const ch of stream) {
      text += ch.choices[0]?.delta.content ?? "";
      const pid = claudePids(c.configDir)[0];
      if (pid && !cwd) cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    }
    expect(text).toBe("Echo: x y z");
    expect(cwd).toBe(fs.realpathSync(c.env.CLAUDE_WORKDIR!));
    const system = systemText(lastMain()?.body);
    expect(system).toContain("Rule zero.");
    expect(system).toContain("Last rule.");
    expect(fs.readdirSync(c.env.TMPDIR!).filter((f) => f.startsWith("cc-bridge-"))).toEqual([]);
  });

  it("renders earlier turns as a transcript when there is no session", async () => {
    await c.gw.openai().chat.completions.create({
      model: "claude-code",
      messages: [
        { role: "user", content: "my name is Ada" },
        { role: "assistant", content: "Hello Ada" },
        { role: "user", content: "what is my name?" },
      ],
    });
    const texts = conversationTexts(lastMain()?.body);
    const sent = texts.map((t) => t.text).join("\n");
    expect(sent).toContain("<conversation_history>");
    expect(sent).toContain("my name is Ada");
    expect(sent).toContain("Hello Ada");
    expect(sent).toContain("what is my name?");
  });

  it("treats prompts that look like flags or shell as plain text", async () => {
    const marker = path.join(c.env.TMPDIR ?? "/tmp", "injected");
    for (const prompt of [
      "--dangerously-skip-permissions",
      `$(touch ${marker})`,
      `\`touch ${marker}\`; touch ${marker}`,
    ]) {
      const r = await c.gw.openai().chat.completions.create({
        model: "claude-code",
        messages: [
          { role: "system", content: "--dangerously-skip-permissions --mcp-config /tmp/x.json" },
          { role: "user", content: prompt },
        ],
      });
      expect(r.choices[0]?.message.content).toBe(`Echo: ${prompt}`);
    }
    expect(fs.existsSync(marker)).toBe(false);
    expect(systemText(lastMain()?.body)).toContain("--dangerously-skip-permissions --mcp-config /tmp/x.json");
  });

  it("answers 404 model_not_found for names that are neither Claude's nor ollama/…, without running Claude", async () => {
    const before = c.fake.mainRequests().length;
    for (const model of ["gpt-4o", "llama3", "text-embedding-3-small"]) {
      const e = await c.gw
        .openai()
        .chat.completions.create({ model, messages: user("x") })
        .catch((x) => x);
      expect(e, model).toBeInstanceOf(OpenAI.NotFoundError);
      expect(e.code).toBe("model_not_found");
      expect(e.param).toBe("model");
    }
    expect(c.fake.mainRequests().length).toBe(before);
    for (const model of ["claude-sonnet-4-5", "haiku"]) {
      const r = await c.gw.openai().chat.completions.create({ model, messages: user(`via ${model}`) });
      expect(r.choices[0]?.message.content).toBe(`Echo: via ${model}`);
      expect(String(lastMain()?.body.model)).toMatch(model === "haiku" ? /haiku/ : /^claude-sonnet-4-5/);
    }
  });
});

describe("health with Claude Code", () => {
  it("shows the binary in use and its version", async () => {
    const h = await (await fetch(`${c.gw.url}/health`)).json();
    expect(h.claude).toMatchObject({ found: true, source: "CLAUDE_BIN" });
    expect(h.claude.path).toMatch(/claude/);
    expect(h.claude.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("Claude sessions", () => {
  it("resumes the Claude session on later turns, also after a gateway restart", async () => {
    const sid = `claude-${Date.now()}`;
    const ask = (content: string) =>
      c.gw.openai({ sessionId: sid }).chat.completions.create({ model: "claude-code", messages: user(content) });
    expect((await ask("first turn alpha")).choices[0]?.message.content).toBe("Echo: first turn alpha");
    const [row] = c.gw.query("SELECT upstreamSessionId, turnCount FROM Session WHERE id = ?", sid);
    expect(row.upstreamSessionId).toMatch(/^[0-9a-f-]{36}$/);
    await ask("second turn beta");
    const second = conversationTexts(lastMain()?.body).map((t) => t.text);
    expect(second.join("\n")).toContain("first turn alpha");
    expect(second.join("\n")).toContain("Echo: first turn alpha");
    expect(second.at(-1)).toContain("second turn beta");
    // Resumed, not replayed: Claude's own transcript carries the earlier turn as a real assistant message.
    const roles = ((lastMain()?.body.messages ?? []) as Array<{ role: string }>).map((m) => m.role);
    expect(roles).toContain("assistant");
    expect(second.join("\n")).not.toContain("<conversation_history>");

    await c.restart();
    await ask("third turn gamma");
    const third = conversationTexts(lastMain()?.body)
      .map((t) => t.text)
      .join("\n");
    expect(third).toContain("first turn alpha");
    expect(third).toContain("Echo: second turn beta");
    expect(third).toContain("third turn gamma");
    const [after] = c.gw.query("SELECT upstreamSessionId, turnCount FROM Session WHERE id = ?", sid);
    expect(after).toEqual({ upstreamSessionId: row.upstreamSessionId, turnCount: 3 });
    expect(c.gw.query("SELECT COUNT(*) AS n FROM SessionMessage WHERE sessionId = ?", sid)[0].n).toBe(6);
  });

  it("a session whose Claude transcript was never stored goes on as a new Claude session from the stored history", async () => {
    const sid = `lost-${Date.now()}`;
    const ask = (content: string) =>
      c.gw.openai({ sessionId: sid }).chat.completions.create({ model: "claude-code", messages: user(content) });
    await ask("remember the kiwi");
    const [before] = c.gw.query("SELECT upstreamSessionId FROM Session WHERE id = ?", sid);
    await c.gw.stop(); // …a warm process would still have the context
    // Neither in the database (a session from before transcripts were stored there) nor on disk (e.g. a
    // new CLAUDE_CONFIG_DIR).
    exec(c.gw.dbPath, "DELETE FROM TranscriptEntry WHERE sessionId = ?", before.upstreamSessionId);
    fs.rmSync(path.join(c.configDir, "projects"), { recursive: true, force: true });
    await c.restart();
    const r = await ask("which fruit?");
    expect(r.choices[0]?.message.content).toMatch(/^Echo: /);
    const sent = conversationTexts(lastMain()?.body)
      .map((t) => t.text)
      .join("\n");
    expect(sent).toContain("<conversation_history>");
    expect(sent).toContain("remember the kiwi");
    expect(sent).toContain("Echo: remember the kiwi");
    expect(sent).toContain("which fruit?");
    const [after] = c.gw.query("SELECT upstreamSessionId, turnCount FROM Session WHERE id = ?", sid);
    expect(after.upstreamSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(after.upstreamSessionId).not.toBe(before.upstreamSessionId);
    expect(after.turnCount).toBe(2);
    await ask("and now?");
    const roles = ((lastMain()?.body.messages ?? []) as Array<{ role: string }>).map((m) => m.role);
    expect(roles).toContain("assistant"); // resumed the new session
  });

  it("a failed first turn does not poison the session", async () => {
    const sid = `poison-${Date.now()}`;
    const client = c.gw.openai({ sessionId: sid });
    const e = await client.chat.completions
      .create({ model: "claude-code", messages: user("boom [[fake:error=529]]") })
      .catch((x) => x);
    expect(e.status).toBe(503);
    expect(c.gw.query("SELECT * FROM Session WHERE id = ?", sid)).toEqual([]);
    const ok = await client.chat.completions.create({ model: "claude-code", messages: user("fine now") });
    expect(ok.choices[0]?.message.content).toBe("Echo: fine now");
  });

  it("serves two concurrent requests on one session one at a time", async () => {
    const sid = `conc-${Date.now()}`;
    const client = c.gw.openai({ sessionId: sid });
    const ask = (content: string) => client.chat.completions.create({ model: "claude-code", messages: user(content) });
    const before = c.fake.mainRequests().length;
    const [a, b] = await Promise.all([ask("apple [[fake:slow=150]]"), ask("banana [[fake:slow=150]]")]);
    const answers = [a.choices[0]?.message.content, b.choices[0]?.message.content].sort();
    expect(answers).toEqual(["Echo: apple", "Echo: banana"]);
    const sent = c.fake.mainRequests().slice(before);
    expect(sent).toHaveLength(2);
    // The second run resumed the first: it carries the first turn's question and answer.
    const secondTexts = conversationTexts(sent[1]?.body)
      .map((t) => t.text)
      .join("\n");
    const first = secondTexts.includes("apple") ? "apple" : "banana";
    expect(secondTexts).toContain(`Echo: ${first}`);
    expect(c.gw.query("SELECT turnCount FROM Session WHERE id = ?", sid)[0].turnCount).toBe(2);
  });
});
