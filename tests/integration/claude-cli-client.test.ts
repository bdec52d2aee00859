/**
 * The real `claude` CLI as a client of the gateway's Anthropic Messages API (ANTHROPIC_BASE_URL = the
 * gateway, a cc-bridge key), on an Ollama model behind the fake Ollama: it answers, runs a tool loop with
 * its own Write tool, its requests are recorded under the key, and its background calls on its small
 * model are routed by an alias pattern.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { CLAUDE_BIN } from "../helpers/claude";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { ADMIN, type Created, createKey } from "./keys-client";

let fake: FakeOllama;
let gw: Gateway;
let key: Created;
let dir: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  fake.models = [...fake.models, "qwen3:4b"];
  gw = await startGateway({
    OLLAMA_URL: fake.url,
    CLAUDE_AUTH_KEY: ADMIN,
    // Claude Code's small fast model (haiku, whatever its dated name) goes to a small local model.
    MODEL_ALIASES:
      "claude-haiku-*=ollama/qwen3:4b,claude-3-5-haiku-*=ollama/qwen3:4b,claude-sonnet-*=ollama/qwen3:8b,claude-opus-*=ollama/qwen3:8b",
  });
  key = await createKey(gw, { name: "claude cli", allowed_models: ["ollama/*"] });
  dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "cli-"));
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

/** `claude -p <prompt>` in its own config, home and working directory, against the gateway. */
function claude(prompt: string, extra: string[] = [], env: Record<string, string> = {}) {
  const sub = (name: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  const cwd = sub("work");
  return new Promise<{ code: number | null; stdout: string; stderr: string; cwd: string }>((resolve) => {
    execFile(
      CLAUDE_BIN,
      ["-p", prompt, "--model", "ollama/qwen3:8b", ...extra],
      {
        cwd,
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          HOME: sub("home"),
          CLAUDE_CONFIG_DIR: sub("config"),
          TMPDIR: sub("tmp"),
          ANTHROPIC_BASE_URL: gw.url,
          ANTHROPIC_API_KEY: key.key,
          DISABLE_TELEMETRY: "1",
          DISABLE_AUTOUPDATER: "1",
          CLAUDE_CODE_MAX_RETRIES: "0",
          ...env,
        } as unknown as NodeJS.ProcessEnv,
        encoding: "utf8",
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, cwd }),
    ).stdin?.end();
  });
}

const keyRecords = () => gw.records().filter((r) => r.keyId === key.id);

describe("claude -p through cc-bridge", () => {
  it("answers, and its requests are recorded under the key on /v1/messages", async () => {
    fake.requests.length = 0;
    const r = await claude("Say hello", [], { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
    expect(r.stderr).not.toMatch(/API Error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Echo: /);
    expect(r.stdout).toContain("Say hello");
    const main = fake.chats().filter((c) => c.model === "qwen3:8b");
    expect(main.length).toBeGreaterThanOrEqual(1);
    // Claude Code's own tools were offered to the model as function tools.
    expect(main[0].tools.map((t: any) => t.function.name)).toContain("Write");
    const recs = await eventually(() => {
      const rs = keyRecords().filter((x) => x.endpoint === "/v1/messages" && x.model === "ollama/qwen3:8b");
      return rs.length > 0 ? rs : null;
    });
    expect(recs.every((x) => x.status === "ok")).toBe(true);
  });

  it("runs a tool loop: the model calls Write, the CLI writes the file, the next request carries the result", async () => {
    const target = path.join(dir, "work", "hello.txt");
    fs.rmSync(target, { force: true });
    fake.script = (body) => {
      if (body.model !== "qwen3:8b" || !body.tools?.some((t: any) => t.function.name === "Write")) return undefined;
      const result = body.messages.find((m: any) => m.role === "tool");
      if (result) return { chunks: [`Wrote it: ${String(result.content).slice(0, 60)}`] };
      return {
        toolCalls: [{ function: { name: "Write", arguments: { file_path: target, content: "hi from the model\n" } } }],
      };
    };
    const r = await claude("Write hello.txt", ["--allowedTools", "Write"], {
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    });
    fake.script = () => undefined;
    expect(r.code).toBe(0);
    expect(fs.readFileSync(target, "utf8")).toBe("hi from the model\n");
    expect(r.stdout).toContain("Wrote it:");
    const withResult = fake.chats().find((c) => c.messages.some((m: any) => m.role === "tool"));
    expect(withResult.messages.find((m: any) => m.role === "tool").tool_name).toBe("Write");
    const legs = keyRecords().filter((x) => x.finishReason === "tool_calls");
    expect(legs.length).toBeGreaterThanOrEqual(1);
  });

  it("its own model names, main and small, are routed by alias patterns (no --model, no ANTHROPIC_MODEL)", async () => {
    fake.requests.length = 0;
    const before = new Set(keyRecords().map((x) => x.id));
    // Default settings: the CLI names its own models (claude-sonnet-…/claude-opus-…, and claude-haiku-… for
    // background work); the patterns send them to local models. 2.1.332 in -p made no small-model call in
    // our runs; any it makes is routed the same way.
    const r = await claude("Tell me about the project layout please", ["--model", "claude-sonnet-4-5"], {
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    });
    expect(r.stderr).not.toMatch(/API Error/i);
    expect(r.code).toBe(0);
    const mine = await eventually(() => {
      const rs = keyRecords().filter((x) => !before.has(x.id));
      return rs.length > 0 ? rs : null;
    });
    for (const rec of mine) {
      expect(rec.requestedModel).toMatch(/^claude-/);
      expect(rec.model).toMatch(/^ollama\/qwen3:/);
      if (/haiku/.test(rec.requestedModel)) expect(rec.model).toBe("ollama/qwen3:4b");
    }
    expect(fake.chats().map((c) => c.model)).toContain("qwen3:8b");
  });
});
