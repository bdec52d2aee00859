/**
 * The Codex CLI itself (`@openai/codex`, its bundled binary) against the gateway, end to end: a
 * custom provider with `wire_api = "responses"` in a temporary CODEX_HOME, an Ollama model served by
 * the fake Ollama. Codex speaks only the Responses API, streams, and sends tool types we do not serve.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { codexExec as runCodex, writeCodexConfig } from "../helpers/codex";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";

const KEY = "codex-test-key";

let fake: FakeOllama;
let gw: Gateway;
let home: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url, CLAUDE_AUTH_KEY: KEY });
  home = fs.mkdtempSync(path.join(inject("tmpRoot"), "codex-"));
  writeCodexConfig(home, gw.url, "ollama/qwen3:8b");
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

const codexExec = (prompt: string) => runCodex(home, prompt, KEY);

describe("codex exec against the gateway (wire_api = responses)", () => {
  it("runs a prompt end to end on an Ollama model and prints the answer", async () => {
    fake.script = () => ({ chunks: ["Hello", " from", " cc-bridge", "."], promptEvalCount: 40, evalCount: 4 });
    const run = await codexExec("Say hello");
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain("Hello from cc-bridge.");
    // what Codex sent reached Ollama: its instructions as system messages, the prompt as the last user message
    const chat = fake.chats().at(-1);
    expect(chat.model).toBe("qwen3:8b");
    expect(chat.messages.at(-1)).toMatchObject({ role: "user" });
    expect(chat.messages.at(-1).content).toContain("Say hello");
    expect(chat.messages.some((m: any) => m.role === "system")).toBe(true);
    // its function tools were passed on; namespace and web_search tools were accepted and not used
    const names = (chat.tools ?? []).map((t: any) => t.function.name);
    expect(names).toContain("exec_command");
    const rec = await eventually(() => gw.records().find((r) => r.endpoint === "/v1/responses" && r.status === "ok"));
    expect(rec).toMatchObject({ model: "ollama/qwen3:8b", provider: "ollama", stream: 1, promptTokens: 40 });
    expect(gw.records().filter((r) => r.endpoint === "/v1/responses" && r.status !== "ok")).toEqual([]);
  });

  it("runs a function tool Codex offers (exec_command) and sends its output back as function_call_output", async () => {
    fake.script = (body) => {
      const toolResult = body.messages.find((m: any) => m.role === "tool");
      if (toolResult) return { chunks: ["The command ran."] };
      return { toolCalls: [{ function: { name: "exec_command", arguments: { cmd: "echo codex-was-here" } } }] };
    };
    const before = fake.chats().length;
    const run = await codexExec("Run echo for me");
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain("The command ran.");
    const chats = fake.chats().slice(before);
    expect(chats.length).toBeGreaterThanOrEqual(2);
    const last = chats.at(-1);
    // Codex sent the whole conversation back (store: false): our function_call item became the
    // assistant's tool call, its function_call_output a tool message named after the tool
    const call = last.messages.find((m: any) => m.role === "assistant" && m.tool_calls);
    expect(call.tool_calls[0].function).toEqual({ name: "exec_command", arguments: { cmd: "echo codex-was-here" } });
    const result = last.messages.find((m: any) => m.role === "tool");
    expect(result.tool_name).toBe("exec_command");
    expect(result.content).toContain("codex-was-here"); // Codex really ran the command
  });

  it("takes a thinking model's reasoning items and prints the answer", async () => {
    fake.script = () => ({ thinking: ["Let me ", "think."], chunks: ["Thought", " it through."] });
    const run = await codexExec("Think first");
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain("Thought it through.");
  });

  it("protects /metrics with CLAUDE_AUTH_KEY when METRICS_KEY is not set", async () => {
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^ccbridge_requests_total\{endpoint="\/v1\/responses",model="ollama\/qwen3:8b"/m);
  });
});
