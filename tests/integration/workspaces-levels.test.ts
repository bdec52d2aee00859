/**
 * Issue 24, the levels at their edges: a machine without Claude Code's sandbox (503 naming what to
 * install, no command run), CLAUDE_SKIP_PERMS (the admin's tasks unrestricted as before, a key
 * unrestricted only when the admin says so, and never with the gateway's secrets in its environment),
 * and the key's level and workspace on PostgreSQL.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bash, readWriteRun, runTask, steps, stepsScript, write } from "../helpers/agent-tasks";
import { type ClaudeSetup, startClaudeGateway } from "../helpers/claude";
import { startGateway } from "../helpers/gateway";
import { migratePg, type PgCluster, startPostgres } from "../helpers/postgres";
import { ADMIN, admin, createKey } from "./keys-client";

const METRICS_KEY = "metrics-key-SECRET-levels";

const task = (url: string, bearer: string, prompt: string, endpoint?: "/v1/messages") =>
  runTask(url, bearer, prompt, { endpoint });

const healthOf = async (url: string) =>
  (await (await fetch(`${url}/health`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as any;

describe("a machine without Claude Code's sandbox", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    // No bubblewrap or socat on the PATH the gateway and its `claude` processes get.
    const emptyBin = fs.mkdtempSync(path.join(inject("tmpRoot"), "no-sandbox-"));
    c = await startClaudeGateway({ CLAUDE_AUTH_KEY: ADMIN, CLAUDE_SPARES: "0", PATH: emptyBin });
    c.fake.setScript(stepsScript);
  });
  afterAll(async () => {
    await c?.close();
  });

  it("/health says the sandbox does not work and what to install; keys default to read-only", async () => {
    const h = await healthOf(c.gw.url);
    expect(h.claude.sandbox).toMatchObject({ available: false, missing: ["bwrap", "socat"] });
    expect(h.claude.sandbox.hint).toContain("apt-get install bubblewrap socat");
    expect(h.claude.levels).toMatchObject({ admin: "read-only", key_default: "read-only" });
  });

  it("a key set to sandboxed gets a clear 503 on every endpoint, and no command runs", async () => {
    const k = await createKey(c.gw, { name: "needs-sandbox", agent_level: "sandboxed" });
    expect(k.effective_agent_level).toBe("sandboxed");
    const before = c.fake.requests.length;
    const r = await task(c.gw.url, k.key, `work ${steps([bash("touch ran.txt")])}`);
    expect(r.status).toBe(503);
    expect(r.body.error).toMatchObject({ code: "sandbox_unavailable" });
    expect(r.body.error.message).toContain("bwrap");
    expect(r.body.error.message).toContain("apt-get install bubblewrap socat");
    const m = await task(c.gw.url, k.key, `work ${steps([bash("touch ran.txt")])}`, "/v1/messages");
    expect(m.status).toBe(503);
    expect(m.body.type).toBe("error");
    expect(c.fake.requests.length).toBe(before); // Claude Code never started a turn
    const ws = path.join(c.env.CLAUDE_WORKDIR as string, "keys", k.id);
    expect(fs.existsSync(path.join(ws, "ran.txt"))).toBe(false);
    // And the record says why.
    const rec = c.gw.records().at(-1);
    expect(rec.status).toBe("error");
    expect(rec.errorCode).toBe("sandbox_unavailable");
  });

  it("a key left at the default is read-only: it reads its workspace, writes nothing", async () => {
    const k = await createKey(c.gw, { name: "default" });
    expect(k.effective_agent_level).toBe("read-only");
    const r = await readWriteRun(c.gw.url, k.key, path.join(c.env.CLAUDE_WORKDIR as string, "keys", k.id));
    expect(r.status).toBe(200);
    expect(r.text).toContain("CAN-READ-THIS");
    expect(r.wrote).toBe(false);
    expect(r.ran).toBe(false);
  });
});

describe("CLAUDE_SKIP_PERMS=true", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({
      CLAUDE_AUTH_KEY: ADMIN,
      CLAUDE_SKIP_PERMS: "true",
      IS_SANDBOX: "1",
      METRICS_KEY,
      CLAUDE_SPARES: "0",
    });
    c.fake.setScript(stepsScript);
  });
  afterAll(async () => {
    await c?.close();
  });

  it("the admin's tasks stay unrestricted, as before; keys stay sandboxed unless the admin says otherwise", async () => {
    const h = await healthOf(c.gw.url);
    expect(h.claude.levels).toEqual({ admin: "unrestricted", key_default: "sandboxed", unrestricted_allowed: true });
    const a = await createKey(c.gw, { name: "A" });
    expect(a.effective_agent_level).toBe("sandboxed");
    const wrote = await task(c.gw.url, a.key, `save ${steps([write("a.txt", "A-SECRET-FILE")])}`);
    expect(wrote.status).toBe(200);
    const aFile = path.join(c.env.CLAUDE_WORKDIR as string, "keys", a.id, "a.txt");
    expect(fs.readFileSync(aFile, "utf8")).toBe("A-SECRET-FILE");
    // The admin may read every workspace (its own holds them all).
    const r = await task(c.gw.url, ADMIN, `read ${steps([bash(`cat ${aFile}`)])}`);
    expect(r.text).toContain("A-SECRET-FILE");
    // Key B, sandboxed, may not.
    const b = await createKey(c.gw, { name: "B" });
    const rb = await task(c.gw.url, b.key, `read ${steps([bash(`cat ${aFile}`)])}`);
    expect(rb.text).not.toContain("A-SECRET-FILE");
  });

  it("an unrestricted key: only by the admin's choice, in its own workspace, without the gateway's secrets", async () => {
    const u = await createKey(c.gw, { name: "U", agent_level: "unrestricted" });
    expect(u.effective_agent_level).toBe("unrestricted");
    const r = await task(
      c.gw.url,
      u.key,
      `env ${steps([bash("pwd; printenv METRICS_KEY CLAUDE_AUTH_KEY USAGE_DB_PATH OLLAMA_URL; echo END")])}`,
    );
    expect(r.status).toBe(200);
    expect(r.text).toContain(path.join(c.env.CLAUDE_WORKDIR as string, "keys", u.id));
    expect(r.text).toContain("END");
    expect(r.text).not.toContain(METRICS_KEY);
    expect(r.text).not.toContain(ADMIN);
    expect(r.text).not.toContain(c.gw.dbPath);
  });

  it("with CLAUDE_SKIP_PERMS off again, the unrestricted key is refused (403), never run", async () => {
    const u = await createKey(c.gw, { name: "U2", agent_level: "unrestricted" });
    await c.gw.stop();
    const { CLAUDE_SKIP_PERMS: _, ...rest } = c.env;
    c.gw = await startGateway(rest, c.gw.dbPath);
    const before = c.fake.requests.length;
    const r = await task(c.gw.url, u.key, `go ${steps([bash("touch x")])}`);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("level_not_permitted");
    expect(c.fake.requests.length).toBe(before);
  });
});

describe("levels and workspaces on PostgreSQL", () => {
  let cluster: PgCluster;
  let c: ClaudeSetup;
  beforeAll(async () => {
    cluster = await startPostgres();
    const url = await cluster.createDatabase("workspaces");
    await migratePg(url);
    c = await startClaudeGateway({ CLAUDE_AUTH_KEY: ADMIN, DATABASE_URL: url, CLAUDE_SPARES: "0" });
    c.fake.setScript(stepsScript);
  });
  afterAll(async () => {
    await c?.close();
    cluster?.stop();
  });

  it("a chosen workspace and level are kept, checked and used", async () => {
    const chosen = path.join(path.dirname(c.env.CLAUDE_WORKDIR as string), "pg-project");
    const k = await createKey(c.gw, { name: "P", workspace: chosen, agent_level: "sandboxed" });
    expect(k).toMatchObject({ workspace: chosen, workspace_chosen: true, agent_level: "sandboxed" });
    const rows = await cluster.query("workspaces", `SELECT "agentLevel", "workspace" FROM "ApiKey" WHERE id = $1`, [
      k.id,
    ]);
    expect(rows[0]).toEqual({ agentLevel: "sandboxed", workspace: chosen });
    const other = await admin(c.gw, "POST", "/admin/keys", { name: "Q", workspace: chosen });
    expect(other.status).toBe(409);
    const r = await task(c.gw.url, k.key, `do ${steps([bash("pwd")], [write("pg.txt", "on-pg")])}`);
    expect(r.text).toContain(chosen);
    expect(fs.readFileSync(path.join(chosen, "pg.txt"), "utf8")).toBe("on-pg");
  });
});
