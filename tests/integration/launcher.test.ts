// `npm start` as a supervisor, systemd, Docker or Ctrl-C meet it: a signal to the npm process stops the
// whole tree (gracefully: runs in flight end with 503), and a second instance shares one database.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { eventually } from "../helpers/gateway";
import { healthy, type Launched, npmStart } from "../helpers/npm-start";

const root = path.resolve(import.meta.dirname, "../..");

/** `npm start` with what every launch here shares: production, no Ollama, never the real Claude Code. */
const launch = (env: Record<string, string>) =>
  npmStart({
    HOME: process.env.HOME,
    NODE_ENV: "production",
    OLLAMA_URL: "http://127.0.0.1:9",
    // Never the real Claude Code (with the real HOME): nothing here needs it.
    CLAUDE_BIN: "/nonexistent/claude",
    ...env,
  });

/** pid → parent pid of every live (non-zombie) process. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = (stat.split(") ")[1] ?? "").split(" ");
      if (state !== "Z") table.set(Number(entry), Number(ppid));
    } catch {}
  }
  return table;
}

function tree(pid: number): number[] {
  const table = processTable();
  const found = [pid];
  for (let i = 0; i < found.length; i++)
    for (const [p, parent] of table) if (parent === found[i] && !found.includes(p)) found.push(p);
  return found;
}

const alive = (pids: number[]) => {
  const table = processTable();
  return pids.filter((p) => table.has(p));
};

function kill(l: Launched) {
  try {
    if (l.child.exitCode === null && l.child.pid) process.kill(-l.child.pid, "SIGKILL");
  } catch {}
}

let fake: FakeOllama;
let dir: string;
beforeAll(async () => {
  fake = await startFakeOllama();
  dir = fs.mkdtempSync(path.join(inject("tmpRoot"), "launcher-"));
});
afterAll(() => fake.close());

describe.each(["SIGTERM", "SIGINT"] as const)("%s to the `npm start` process", (signal) => {
  it("stops every process of the tree; a stream in flight ends with a 503 shutdown error", async () => {
    const l = await launch({ USAGE_DB_PATH: path.join(dir, `${signal}.db`), OLLAMA_URL: fake.url });
    try {
      await healthy(l);
      const pids = tree(l.child.pid!);
      expect(pids.length).toBeGreaterThanOrEqual(2); // npm and the server at least
      fake.script = () => ({ chunks: Array.from({ length: 100 }, (_, i) => `w${i} `), delayMs: 100 });
      const res = await fetch(`${l.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "ollama/qwen3:8b", stream: true, messages: [{ role: "user", content: "go" }] }),
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let body = decoder.decode((await reader.read()).value);
      process.kill(l.child.pid!, signal);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        body += decoder.decode(value, { stream: true });
      }
      expect(body).toContain('"code":"gateway_shutdown"');
      await Promise.race([l.exited, new Promise((r) => setTimeout(r, 20_000))]);
      expect(l.child.exitCode !== null || l.child.signalCode !== null, "npm exited").toBe(true);
      await eventually(() => alive(pids).length === 0, 5_000).catch(() => {});
      expect(alive(pids), l.output()).toEqual([]);
      await expect(fetch(`${l.url}/health`)).rejects.toThrow();
      const db = new Database(path.join(dir, `${signal}.db`), { readonly: true });
      const rec = db.prepare("SELECT status, httpStatus, errorCode FROM Request").all();
      db.close();
      expect(rec).toEqual([{ status: "error", httpStatus: 503, errorCode: "gateway_shutdown" }]);
    } finally {
      kill(l);
    }
  });
});

describe("the server behind `npm start`", () => {
  it("stops within seconds when npm itself is killed (SIGKILL) instead of serving on as an orphan", async () => {
    const l = await launch({ USAGE_DB_PATH: path.join(dir, "orphan.db") });
    try {
      await healthy(l);
      const pids = tree(l.child.pid!);
      process.kill(l.child.pid!, "SIGKILL");
      await eventually(() => alive(pids).length === 0, 10_000);
      await expect(fetch(`${l.url}/health`)).rejects.toThrow();
    } finally {
      kill(l);
    }
  });

  it("exits 1 naming the address when its port is taken", async () => {
    const busy = http.createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const res = spawnSync(process.execPath, ["scripts/serve.mjs"], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: "production",
          PORT: String(port),
          USAGE_DB_PATH: path.join(dir, "p.db"),
          CLAUDE_BIN: "/nonexistent/claude",
        },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`cc-bridge: cannot listen on 127.0.0.1:${port} (EADDRINUSE): another program`);
    } finally {
      busy.close();
    }
  });
});

describe("a second instance on the same database", () => {
  it("starts (migrations already applied), serves, and both record to the one file", async () => {
    const db = path.join(dir, "shared.db");
    const a = await launch({ USAGE_DB_PATH: db, OLLAMA_URL: fake.url });
    let b: Launched | undefined;
    try {
      await healthy(a);
      b = await launch({ USAGE_DB_PATH: db, OLLAMA_URL: fake.url });
      await healthy(b);
      fake.script = () => ({ chunks: ["hi"] });
      for (const l of [a, b, a, b]) {
        const r = await fetch(`${l.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "x" }] }),
        });
        expect(r.status, await r.text()).toBe(200);
      }
      const count = () => {
        const d = new Database(db, { readonly: true });
        const n = d.prepare("SELECT COUNT(*) AS n FROM Request WHERE status = 'ok'").get() as { n: number };
        d.close();
        return n.n;
      };
      expect(await eventually(() => (count() === 4 ? 4 : null))).toBe(4);
      for (const l of [a, b]) {
        const usage = await (await fetch(`${l.url}/v1/usage`)).text();
        expect(usage).toContain("ollama/qwen3:8b");
      }
    } finally {
      for (const l of [a, b]) if (l) kill(l);
    }
  });

  it("with migrations pending while another process holds the file, exits naming the database and what to do", async () => {
    const db = path.join(dir, "held.db");
    const holder = new Database(db);
    holder.pragma("journal_mode = WAL");
    holder.exec("CREATE TABLE other (a)");
    holder.prepare("SELECT * FROM other").all();
    try {
      const l = await launch({ USAGE_DB_PATH: db });
      try {
        const { code } = await l.exited;
        expect(code).toBe(1);
        expect(l.output()).toContain(`cc-bridge: the database ${db} is busy`);
        expect(l.output()).toMatch(/migrations are pending \(20261121000000_init, .*\)\. Stop every process using/);
      } finally {
        kill(l);
      }
    } finally {
      holder.close();
    }
  });
});
