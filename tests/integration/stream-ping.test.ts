/**
 * Keep-alives while the upstream is silent (issue 26): a chat completions stream sends an SSE comment line
 * (`: ping`) every STREAM_PING_MS, which the `openai` SDK, LangChain and the AI SDK skip (their answers
 * are the same); so does a background response's stream. (Anthropic's `ping` events: anthropic-ollama.test.ts.)
 */
import { createOpenAI } from "@ai-sdk/openai";
import { ChatOpenAI } from "@langchain/openai";
import { streamText } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { type Gateway, startGateway } from "../helpers/gateway";
import { responsesValidatingFetch } from "../helpers/openai-responses";

let fake: FakeOllama;
let gw: Gateway;
const MODEL = "ollama/qwen3:8b";

beforeAll(async () => {
  fake = await startFakeOllama();
  // Each line comes 250 ms after the one before: pings (every 100 ms) go out in between.
  fake.script = () => ({ chunks: ["slow ", "but ", "there"], delayMs: 250 });
  gw = await startGateway({ OLLAMA_URL: fake.url, STREAM_PING_MS: "100" });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("keep-alive comment lines on silent streams", () => {
  it("a chat completions stream carries `: ping` lines between its chunks, and ends as before", async () => {
    const text = await (
      await post("/v1/chat/completions", { model: MODEL, stream: true, messages: [{ role: "user", content: "hi" }] })
    ).text();
    const blocks = text.split("\n\n").filter(Boolean);
    expect(blocks.filter((b) => b === ": ping").length).toBeGreaterThanOrEqual(3);
    expect(blocks.filter((b) => b !== ": ping").every((b) => b.startsWith("data: "))).toBe(true);
    expect(blocks.at(-1)).toBe("data: [DONE]");
  });

  it("the openai SDK, LangChain and the AI SDK read the same answer", async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "unused", maxRetries: 0 });
    let sdkText = "";
    const stream = await openai.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    for await (const chunk of stream) sdkText += chunk.choices[0]?.delta.content ?? "";
    const lc = new ChatOpenAI({ model: MODEL, apiKey: "unused", configuration: { baseURL: `${gw.url}/v1` } });
    let lcText = "";
    for await (const chunk of await lc.stream("hi")) lcText += chunk.content;
    const ai = streamText({
      model: createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: "unused" }).chat(MODEL),
      prompt: "hi",
    });
    let aiText = "";
    for await (const t of ai.textStream) aiText += t;
    expect([sdkText, lcText, aiText]).toEqual(["slow but there", "slow but there", "slow but there"]);
  });

  it("a background response's stream carries them too; the SDK reads its events as before", async () => {
    const res = await post("/v1/responses", { model: MODEL, input: "hi", background: true, stream: true });
    const text = await res.text();
    expect(text).toContain("\n\n: ping\n\n");
    const failures: string[] = [];
    const openai = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: "unused",
      maxRetries: 0,
      fetch: responsesValidatingFetch(failures),
    });
    const id = `resp_${res.headers.get("x-request-id")?.slice(4)}`;
    const events: any[] = [];
    for await (const e of await openai.responses.retrieve(id, { stream: true })) events.push(e);
    expect(events.at(-1)).toMatchObject({ type: "response.completed" });
    expect(events.at(-1).response.output[0].content[0].text).toBe("slow but there");
    expect(failures).toEqual([]);
  });
});
