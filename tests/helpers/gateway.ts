/** Starts the real built app (scripts/serve.mjs, as `npm start` serves it) on a free port with its own database copy. */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import OpenAI from "openai";
import { inject } from "vitest";
import { newSchemaLog, type SchemaLog, validatingFetch } from "./schema";

const root = path.resolve(import.meta.dirname, "../..");

export interface Gateway {
  url: string;
  dbPath: string;
  logs: string[];
  /** Every body the gateway's `openai()` clients received, validated against the spec. */
  schema: SchemaLog;
  /** The gateway's stdout lines that are JSON (the request log). */
  logLines(): any[];
  /** Everything the gateway wrote to stdout. */
  stdout(): string;
  openai(opts?: { apiKey?: string; sessionId?: string }): OpenAI;
  /**
   * Reads the finished request records straight from the database (newest last). A request's record
   * exists from its start with status `running`: read those with query().
   */
  records(): any[];
  query(sql: string, ...params: unknown[]): any[];
  stop(): Promise<void>;
  /** Sends a signal to the server process (e.g. SIGKILL, to test what a crash leaves). */
  kill(signal: NodeJS.Signals): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "gw-"));
  const db = path.join(dir, "usage.db");
  fs.copyFileSync(inject("templateDb"), db);
  return db;
}

export async function startGateway(env: Record<string, string> = {}, dbPath = tempDb()): Promise<Gateway> {
  const port = await freePort();
  const logs: string[] = [];
  const stdout: string[] = [];
  const schema = newSchemaLog();
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "scripts/serve.mjs")], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOST: "127.0.0.1",
      USAGE_DB_PATH: dbPath,
      OLLAMA_URL: "http://127.0.0.1:1",
      // Never let a test reach a real Claude: tests that want Claude Code set CLAUDE_BIN themselves.
      CLAUDE_BIN: "/nonexistent/claude",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    logs.push(String(d));
    stdout.push(String(d));
  });
  child.stderr?.on("data", (d) => logs.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited early:\n${logs.join("")}`);
    try {
      // Any answer means the server is up. Not /health: its first call must not be the test's own
      // business (uptime); not /v1: a failed /v1 request leaves a record. A static file has no effects.
      // Each try bounded: a connection that never answers must not outlast the deadline.
      const r = await fetch(`${url}/icon.svg`, { signal: AbortSignal.timeout(5_000) });
      await r.body?.cancel();
      // Warm up the database connection as the first page or API call would (an error is fine here).
      const key = env.CLAUDE_AUTH_KEY;
      const warm = await fetch(`${url}/v1/usage`, {
        headers: key ? { authorization: `Bearer ${key}` } : {},
        signal: AbortSignal.timeout(10_000),
      });
      await warm.body?.cancel();
      break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`gateway did not start:\n${logs.join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const query = (sql: string, ...params: unknown[]) => {
    const db = new Database(dbPath, { readonly: true });
    try {
      return db.prepare(sql).all(...params);
    } finally {
      db.close();
    }
  };
  return {
    url,
    dbPath,
    logs,
    schema,
    stdout: () => stdout.join(""),
    logLines: () =>
      stdout
        .join("")
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l)),
    openai: (o = {}) =>
      new OpenAI({
        baseURL: `${url}/v1`,
        apiKey: o.apiKey ?? "unused",
        maxRetries: 0,
        fetch: validatingFetch(schema),
        defaultHeaders: o.sessionId ? { "X-Session-ID": o.sessionId } : {},
      }),
    records: () => query(`SELECT * FROM Request WHERE status <> 'running' ORDER BY createdAt, rowid`),
    query,
    kill: (signal) => void child.kill(signal),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/**
 * Polls until `check` returns truthy (records are written when a response ends). On a timeout the
 * error carries what `explain` tells of the state then.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
  explain?: () => unknown,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) {
      const why = explain ? `: ${String(await Promise.resolve(explain()).catch((e) => e))}` : "";
      throw new Error(`condition not met in time${why}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
