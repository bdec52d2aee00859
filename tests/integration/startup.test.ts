import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { startFakeOllama } from "../fakes/ollama";
import { eventually, freePort, startGateway } from "../helpers/gateway";

const root = path.resolve(import.meta.dirname, "../..");
// Never the real Claude Code (with the real HOME): nothing here needs it.
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: "production",
  CLAUDE_BIN: "/nonexistent/claude",
} as const;

describe("npm start (scripts/start.mjs)", () => {
  it("stops with a message naming each invalid variable", () => {
    const res = spawnSync(process.execPath, ["scripts/start.mjs"], {
      cwd: root,
      env: { ...baseEnv, PORT: "abc", CLAUDE_SKIP_PERMS: "maybe" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/PORT: expected a whole number from 1 to 65535, got "abc"/);
    expect(res.stderr).toMatch(/CLAUDE_SKIP_PERMS: expected true or false/);
  });

  it("migrates a new database (creating its folders) and serves on PORT", async () => {
    const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "start-"));
    const db = path.join(dir, "nested", "deeper", "usage.db");
    const port = await freePort();
    const child = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: root,
      env: { ...baseEnv, PORT: String(port), USAGE_DB_PATH: db, OLLAMA_URL: "http://127.0.0.1:9" },
      stdio: "ignore",
    });
    try {
      const health = await eventually(async () => {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/health`);
          return r.ok ? r.json() : null;
        } catch {
          return null;
        }
      }, 60_000);
      expect(health.database.ok).toBe(true);
      expect(fs.existsSync(db)).toBe(true);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  });
});

describe("server start-up checks", () => {
  it("a server started directly also refuses an invalid configuration", async () => {
    const e = await startGateway({ OLLAMA_URL: "not a url" }).catch((x) => x);
    expect(String(e)).toMatch(/OLLAMA_URL: expected an http\(s\) URL/);
  });

  it("warns when bound to a non-loopback address with no CLAUDE_AUTH_KEY; 409 when a session stays busy", async () => {
    const fake = await startFakeOllama();
    const gw = await startGateway({ HOST: "0.0.0.0", OLLAMA_URL: fake.url, SESSION_WAIT_MS: "200" });
    try {
      expect(gw.logs.join("")).toMatch(/non-loopback address 0\.0\.0\.0 with no CLAUDE_AUTH_KEY/);
      fake.script = () => ({ chunks: ["a", "b", "c"], delayMs: 300 });
      const client = gw.openai({ sessionId: "busy-1" });
      const ask = () =>
        client.chat.completions
          .create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] })
          .then((r) => r.choices[0]?.message.content)
          .catch((e) => e);
      const [a, b] = await Promise.all([ask(), ask()]);
      const results = [a, b];
      expect(results.filter((r) => r === "abc")).toHaveLength(1);
      const err = results.find((r) => r instanceof Error) as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(409);
      expect(err.code).toBe("session_busy");
    } finally {
      await gw.stop();
      await fake.close();
    }
  });
});
