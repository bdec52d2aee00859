/**
 * Issue 24: each API key's Claude Code tasks run in a workspace of their own, at a level the admin
 * sets (read-only, sandboxed, unrestricted), inside Claude Code's own sandbox. The real `claude`
 * binary is driven by the fake Anthropic API into its own tools (Bash, Read, Write, Edit, Grep, Glob);
 * what each tool did comes back in the answer (helpers/agent-tasks.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bash, edit, read, readWriteRun, runTask, steps, stepsScript, write } from "../helpers/agent-tasks";
import { type ClaudeSetup, startClaudeGateway } from "../helpers/claude";
import { filesUnder } from "../helpers/transcripts";
import { ADMIN, admin, type Created, createKey } from "./keys-client";

const METRICS_KEY = "metrics-key-SECRET-24";
const API_KEY = "sk-test-fake";
let c: ClaudeSetup;
let keyA: Created;
let keyB: Created;
let keyR: Created;

const task = (bearer: string, prompt: string, session?: string) => runTask(c.gw.url, bearer, prompt, { session });

const health = async () =>
  (await (await fetch(`${c.gw.url}/health`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as any;

beforeAll(async () => {
  c = await startClaudeGateway({
    CLAUDE_AUTH_KEY: ADMIN,
    METRICS_KEY,
    CLAUDE_SPARES: "0",
    CLAUDE_SANDBOX_DOMAINS: "registry.example.test",
  });
  // A secret in the operator's home folder (HOME is the setup's own).
  fs.writeFileSync(path.join(c.env.HOME as string, ".netrc"), "machine x login op password HOME-SECRET-NETRC\n");
  c.fake.setScript(stepsScript);
  keyA = await createKey(c.gw, { name: "A" });
  keyB = await createKey(c.gw, { name: "B" });
  keyR = await createKey(c.gw, { name: "R", agent_level: "read-only" });
});
afterAll(async () => {
  await c?.close();
});

const workspaceOf = (k: Created) => path.join(c.env.CLAUDE_WORKDIR as string, "keys", k.id);

describe("a workspace per key, sandboxed by default", () => {
  it("/health and the admin API show the sandbox and the levels", async () => {
    const h = await health();
    expect(h.claude.sandbox).toMatchObject({ available: true, missing: [] });
    expect(h.claude.levels).toEqual({ admin: "sandboxed", key_default: "sandboxed", unrestricted_allowed: false });
    expect(keyA).toMatchObject({ agent_level: null, effective_agent_level: "sandboxed", workspace_chosen: false });
    expect(keyA.workspace).toBe(workspaceOf(keyA));
    expect(keyR).toMatchObject({ agent_level: "read-only", effective_agent_level: "read-only" });
    // What anyone else sees of /health: not the levels.
    const anon = (await (await fetch(`${c.gw.url}/health`)).json()) as any;
    expect(anon.claude.levels).toBeUndefined();
  });

  it("a sandboxed key does real work in its workspace: a command, a new file, an edit; its next turn sees them", async () => {
    const sid = "ws-session-a";
    const first = await task(
      keyA.key,
      `set up ${steps([write("notes/todo.txt", "alpha A-FILE-SECRET\n")], [bash("ls notes && pwd")])}`,
      sid,
    );
    expect(first.status).toBe(200);
    expect(first.text).toContain("todo.txt");
    expect(first.text).toContain(workspaceOf(keyA));
    expect(fs.readFileSync(path.join(workspaceOf(keyA), "notes/todo.txt"), "utf8")).toContain("alpha");
    // The next turn (same session): read, edit, and a command that sees the edit.
    const second = await task(
      keyA.key,
      `change it ${steps([read("notes/todo.txt")], [edit("notes/todo.txt", "alpha", "beta")], [bash("cat notes/todo.txt")])}`,
      sid,
    );
    expect(second.status).toBe(200);
    expect(second.text).toContain("beta A-FILE-SECRET");
    expect(fs.readFileSync(path.join(workspaceOf(keyA), "notes/todo.txt"), "utf8")).toBe("beta A-FILE-SECRET\n");
  });

  it("a request's own words reach the database, where B will look for them", async () => {
    const r = await task(keyA.key, "remember A-PROMPT-SECRET please");
    expect(r.status).toBe(200);
    const files = [c.gw.dbPath, `${c.gw.dbPath}-wal`].filter((f) => fs.existsSync(f));
    expect(files.some((f) => fs.readFileSync(f).includes("A-PROMPT-SECRET"))).toBe(true);
  });

  /** Every row of the issue's table, as key B's task, with Bash and with the file tools. */
  const attacks = () => {
    const aFile = path.join(workspaceOf(keyA), "notes/todo.txt");
    const config = c.env.CLAUDE_CONFIG_DIR as string;
    return steps(
      [bash(`cat ${aFile}`)],
      [read(aFile)],
      [bash(`grep -a -o A-PROMPT-SECRET ${c.gw.dbPath}`)],
      [bash(`grep -a -o A-PROMPT-SECRET ${c.gw.dbPath}-wal`)],
      [bash("printenv USAGE_DB_PATH DATABASE_URL")],
      [bash("env")],
      [bash("printenv METRICS_KEY ANTHROPIC_API_KEY")],
      [bash(`ls -a ${config}`)],
      [read(path.join(config, ".credentials.json"))],
      [{ name: "Grep", input: { pattern: "A-FILE-SECRET", path: path.dirname(workspaceOf(keyA)) } }],
      [{ name: "Glob", input: { pattern: "**/*.txt", path: workspaceOf(keyA) } }],
      [bash(`ls ${path.dirname(workspaceOf(keyA))}`)],
      [bash(`cat ${path.join(c.env.HOME as string, ".netrc")}`)],
      [bash(`ls ${process.cwd()}`)], // the gateway's own folder (the tests start it in the repository)
      [read(path.join(process.cwd(), "package.json"))],
      // A's session transcript (issue 28): on disk while its warm process holds it, in the database, and
      // never in the gateway's temp folder. (`[T]`: the pattern's own text is not the secret.)
      [bash(`grep -r -a -o -E 'A-FILE-SECRE[T]' ${config}`)],
      ...aTranscripts().map((f) => [read(f)]),
      [bash(`grep -a -o -E 'A-FILE-SECRE[T]' ${c.gw.dbPath} ${c.gw.dbPath}-wal`)],
      [bash(`grep -r -a -o -E 'A-FILE-SECRE[T]' ${c.env.TMPDIR}`)],
    );
  };
  /** A's session transcript files under CLAUDE_CONFIG_DIR (its warm process holds them). */
  const aTranscripts = () =>
    filesUnder(path.join(c.env.CLAUDE_CONFIG_DIR as string, "projects")).filter((f) =>
      fs.readFileSync(f).includes("A-FILE-SECRET"),
    );

  /**
   * Nothing of A's, of the gateway's secrets or of Claude Code's login in B's answer. A refusal may
   * repeat the path asked for; what a tool that worked gave back must hold none of A's names either.
   */
  const expectNothingLeaked = (text: string) => {
    expect(text).toContain("RESULTS");
    for (const secret of ["A-FILE-SECRET", "A-PROMPT-SECRET", METRICS_KEY, API_KEY, "HOME-SECRET-NETRC"]) {
      expect(text).not.toContain(secret);
    }
    const worked = text.split("\n---\n").filter((s) => s.replace(/^RESULTS\n/, "").startsWith("OK:"));
    for (const out of worked) {
      expect(out).not.toContain("todo.txt");
      expect(out).not.toContain(keyA.id); // the listing of the other workspaces
      expect(out).not.toContain("projects"); // CLAUDE_CONFIG_DIR's listing
      expect(out).not.toContain(c.gw.dbPath);
      expect(out).not.toContain("package.json");
    }
  };

  it("sandboxed key B reaches none of A's files, the database, the gateway's secrets or Claude Code's login", async () => {
    // What B's task will look for is there: A's session transcript, on disk and in the database.
    expect(aTranscripts().length).toBeGreaterThan(0);
    expect(
      fs.readFileSync(c.gw.dbPath).includes("A-FILE-SECRET") ||
        fs.readFileSync(`${c.gw.dbPath}-wal`).includes("A-FILE-SECRET"),
    ).toBe(true);
    const r = await task(keyB.key, `look around ${attacks()}`);
    expect(r.status).toBe(200);
    expectNothingLeaked(r.text);
    // B's commands did run, in its own workspace.
    expect(r.text).toContain("OK: ");
    expect(fs.existsSync(workspaceOf(keyB))).toBe(true);
  });

  it("read-only key R: the same attempts, and it cannot write or run a command either", async () => {
    const r = await task(keyR.key, `look around ${attacks()}`);
    expect(r.status).toBe(200);
    expectNothingLeaked(r.text);
    const w = await readWriteRun(c.gw.url, keyR.key, workspaceOf(keyR));
    expect(w.status).toBe(200);
    expect(w.text).toContain("CAN-READ-THIS");
    expect(w.wrote).toBe(false);
    expect(w.ran).toBe(false);
  });

  it("a sandboxed task cannot write outside its workspace, nor reach the network", async () => {
    const outside = path.join(c.env.CLAUDE_WORKDIR as string, "escaped.txt");
    const r = await task(
      keyB.key,
      `try ${steps([bash(`touch ${outside}`)], [write(outside, "x")], [bash(`curl -sS -m 5 ${c.gw.url}/health`)])}`,
    );
    expect(r.status).toBe(200);
    expect(fs.existsSync(outside)).toBe(false);
    expect(r.text).not.toContain('"status"');
    // Through the sandbox's proxy: a host on the operator's allow-list is tried (no such host here),
    // any other is refused by the sandbox.
    const net = await task(
      keyB.key,
      `net ${steps([bash("curl -sS -m 5 -o /dev/null -w '%{http_code}' http://registry.example.test/")], [bash("curl -sS -m 5 -o /dev/null -w '%{http_code}' http://other.example.test/")])}`,
    );
    const [allowed, other] = net.text.replace(/^RESULTS\n/, "").split("\n---\n");
    expect(allowed).toBe("OK: 502"); // tried: the proxy found no such host
    expect(other).toContain("403");
    expect(other).toContain("host is not on the allow list");
  });

  it("a request cannot raise its own level: fields and headers are ignored", async () => {
    const res = await fetch(`${c.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${keyR.key}`,
        "content-type": "application/json",
        "x-agent-level": "sandboxed",
      },
      body: JSON.stringify({
        model: "claude-code",
        agent_level: "unrestricted",
        messages: [{ role: "user", content: `go ${steps([bash("touch raised.txt")])}` }],
      }),
    });
    expect(res.status).toBe(200);
    expect(fs.existsSync(path.join(workspaceOf(keyR), "raised.txt"))).toBe(false);
  });
});

describe("the admin sets levels and workspaces", () => {
  it("unrestricted is refused while CLAUDE_SKIP_PERMS is off", async () => {
    const r = await admin(c.gw, "PATCH", `/admin/keys/${keyB.id}`, { agent_level: "unrestricted" });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "level_not_permitted", param: "agent_level" });
  });

  it("a chosen workspace: absolute, clear of the gateway's files, shared only when the admin says so", async () => {
    const chosen = path.join(path.dirname(c.env.CLAUDE_WORKDIR as string), "project-x");
    const relative = await admin(c.gw, "PATCH", `/admin/keys/${keyA.id}`, { workspace: "project-x" });
    expect(relative.status).toBe(400);
    expect(relative.body.error.code).toBe("invalid_workspace");
    const config = await admin(c.gw, "PATCH", `/admin/keys/${keyA.id}`, { workspace: c.env.CLAUDE_CONFIG_DIR });
    expect(config.status).toBe(400);
    const home = await admin(c.gw, "PATCH", `/admin/keys/${keyA.id}`, {
      workspace: path.dirname(c.env.HOME as string),
    });
    expect(home.status).toBe(400);
    const ok = await admin(c.gw, "PATCH", `/admin/keys/${keyA.id}`, { workspace: chosen });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ workspace: chosen, workspace_chosen: true });
    // B into A's workspace: a 409 unless the admin means it.
    const clash = await admin(c.gw, "PATCH", `/admin/keys/${keyB.id}`, { workspace: path.join(chosen, "sub") });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe("workspace_in_use");
    // Nor into another key's own folder under CLAUDE_WORKDIR.
    const intoR = await admin(c.gw, "PATCH", `/admin/keys/${keyB.id}`, { workspace: workspaceOf(keyR) });
    expect(intoR.status).toBe(409);
    // A works in the chosen folder.
    const r = await task(keyA.key, `where ${steps([bash("pwd")], [write("made-here.txt", "A2")])}`);
    expect(r.text).toContain(chosen);
    expect(fs.readFileSync(path.join(chosen, "made-here.txt"), "utf8")).toBe("A2");
    // B, not sharing it, cannot read it.
    const b = await task(keyB.key, `peek ${steps([bash(`cat ${path.join(chosen, "made-here.txt")}`)])}`);
    expect(b.text).not.toContain("A2");
    // Shared on purpose: B sees A's file.
    const shared = await admin(c.gw, "PATCH", `/admin/keys/${keyB.id}`, { workspace: chosen, share_workspace: true });
    expect(shared.status).toBe(200);
    const b2 = await task(keyB.key, `peek ${steps([bash("cat made-here.txt")])}`);
    expect(b2.text).toContain("A2");
  });

  it("revoking a key leaves its workspace's files and says where they are", async () => {
    const k = await createKey(c.gw, { name: "gone" });
    await task(k.key, `work ${steps([write("kept.txt", "kept")])}`);
    const r = await admin(c.gw, "DELETE", `/admin/keys/${k.id}`);
    expect(r.status).toBe(200);
    expect(r.body.message).toContain(workspaceOf(k));
    expect(fs.readFileSync(path.join(workspaceOf(k), "kept.txt"), "utf8")).toBe("kept");
  });

  it("another key cannot read or change a key's level or workspace (admin API)", async () => {
    const r = await admin(c.gw, "PATCH", `/admin/keys/${keyB.id}`, { agent_level: "read-only" }, keyA.key);
    expect(r.status).toBe(403);
    const g = await admin(c.gw, "GET", `/admin/keys/${keyB.id}`, undefined, keyA.key);
    expect(g.status).toBe(403);
  });
});

describe("the admin's own tasks", () => {
  it("keep CLAUDE_WORKDIR itself, sandboxed: they work there, not in the gateway's secrets", async () => {
    const r = await task(
      ADMIN,
      `admin ${steps([bash("pwd")], [write("admin.txt", "ADM")], [bash("printenv METRICS_KEY")])}`,
    );
    expect(r.status).toBe(200);
    expect(r.text).toContain(c.env.CLAUDE_WORKDIR as string);
    expect(r.text).not.toContain(METRICS_KEY);
    expect(fs.readFileSync(path.join(c.env.CLAUDE_WORKDIR as string, "admin.txt"), "utf8")).toBe("ADM");
  });
});
