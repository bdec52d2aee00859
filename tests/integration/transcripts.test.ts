/**
 * Claude Code's transcripts under the gateway's rules (issue 28), with the real `claude` binary:
 * - a stateless request (fresh, spare or reused process) leaves no file holding its words;
 * - a session's transcript is mirrored to the database as Claude Code writes it, its local files go
 *   once its process ends, and the next turn resumes from the database: the upstream sees the real
 *   earlier turns (the tool call and its result), not a re-telling;
 * - killed processes and a killed gateway leave nothing behind for long; 300 stateless requests do
 *   not make the files under CLAUDE_CONFIG_DIR or the temp folder grow.
 * Two instances on PostgreSQL: tests/integration/transcripts-postgres.test.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMainRequest, type RecordedRequest } from "../fakes/anthropic";
import { bash, runTask, steps, stepsScript } from "../helpers/agent-tasks";
import { type ClaudeSetup, claudeLeaders, processStats, startClaudeGateway, turnPids } from "../helpers/claude";
import { eventually } from "../helpers/gateway";
import { exec } from "../helpers/seed";
import { filesHolding, filesUnder, ofRunning, upstreamTurns } from "../helpers/transcripts";

const SKIP = { CLAUDE_SKIP_PERMS: "true", IS_SANDBOX: "1" };
const tmpOf = (c: ClaudeSetup) => c.env.TMPDIR as string;
/** Every folder a `claude` process of the setup writes to, the workspaces aside. */
const claudeDirs = (c: ClaudeSetup) => [c.configDir, tmpOf(c), c.env.HOME as string];
/** The console's request page data (tRPC requests.detail; an open gateway needs no login). */
async function detail(c: ClaudeSetup, id: string): Promise<any> {
  const input = encodeURIComponent(JSON.stringify({ json: { id } }));
  const res = await fetch(`${c.gw.url}/api/trpc/requests.detail?input=${input}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as any).result.data.json;
}
const word = () => `SECRET${Math.random().toString(36).slice(2, 10).toUpperCase()}`;

const stored = (c: ClaudeSetup, claudeSession: string) =>
  c.gw.query(`SELECT uuid, entry FROM TranscriptEntry WHERE sessionId = ? ORDER BY id`, claudeSession) as Array<{
    uuid: string | null;
    entry: string;
  }>;
const upstreamOf = (c: ClaudeSetup, session: string): string =>
  (c.gw.query(`SELECT upstreamSessionId AS u FROM Session WHERE id = ?`, session)[0] as { u: string }).u;

describe("stateless requests keep no transcript", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({ ...SKIP, CLAUDE_SPARES: "0", STORE_CONTENT: "false" });
    c.fake.setScript(stepsScript);
  });
  afterAll(async () => {
    await c?.close();
  });

  it("fresh and reused processes: no file holds the words once answered", async () => {
    const first = word();
    const r1 = await runTask(c.gw.url, "x", `remember ${first}`);
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(r1.text).toContain(first);
    expect(filesHolding(claudeDirs(c), first)).toEqual([]);
    // The process was cleared and serves the next request of the same caller.
    await eventually(async () => (await processStats(c.gw)).reusable === 1, 10_000);
    const second = word();
    const r2 = await runTask(c.gw.url, "x", `remember ${second}`);
    expect(r2.text).toContain(second);
    expect(filesHolding(claudeDirs(c), second)).toEqual([]);
    expect(filesHolding(claudeDirs(c), first)).toEqual([]);
    // Anthropic's Messages endpoint has no sessions: the same.
    const third = word();
    const r3 = await runTask(c.gw.url, "x", `remember ${third}`, { endpoint: "/v1/messages" });
    expect(r3.status, JSON.stringify(r3.body)).toBe(200);
    expect(r3.text).toContain(third);
    expect(filesHolding(claudeDirs(c), third)).toEqual([]);
  });

  it("STORE_CONTENT=false: a session's transcript is kept (to continue it), the console shows none of it", async () => {
    const t = await runTask(c.gw.url, "x", `kept ${steps([bash("echo HIDDEN-OUTPUT")])}`, { session: "s-nocontent" });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect(stored(c, upstreamOf(c, "s-nocontent")).length).toBeGreaterThan(0);
    const [r] = c.gw.query("SELECT id FROM Request WHERE sessionId = 's-nocontent'");
    const d = await detail(c, r.id);
    expect(d.content).toBeNull();
    const bashStep = d.steps.find((x: any) => x.tool === "Bash");
    expect(bashStep.outcome).toBe("ok");
    expect(bashStep.full).toBeUndefined();
    expect(JSON.stringify(d)).not.toContain("HIDDEN-OUTPUT");
  });

  it("a killed process's session file and socket go when it ends", async () => {
    const pending = runTask(c.gw.url, "x", "slow [[fake:slow=300]] [[fake:slow=300]]");
    const [pid] = await eventually(async () => {
      const p = await turnPids(c);
      const ready = p.length && fs.existsSync(path.join(c.configDir, "sessions", `${p[0]}.json`));
      return ready && filesUnder(tmpOf(c)).some((f) => f.endsWith(`/cc-socks/${p[0]}.sock`)) ? p : undefined;
    }, 10_000);
    process.kill(pid as number, "SIGKILL");
    await pending; // answered or not (a process that died before answering is replaced)
    const sock = () => filesUnder(tmpOf(c)).filter((f) => f.endsWith(`/cc-socks/${pid}.sock`));
    await eventually(() => !fs.existsSync(path.join(c.configDir, "sessions", `${pid}.json`)) && !sock().length, 5_000);
    expect(fs.readdirSync(path.join(c.configDir, "sessions")).filter((f) => f.startsWith(`${pid}.`))).toEqual([]);
  });

  it("300 stateless requests: the files under CLAUDE_CONFIG_DIR and the temp folder do not grow", async () => {
    const run = async (n: number) => {
      for (let i = 0; i < n; i += 4) {
        const rs = await Promise.all([0, 1, 2, 3].map((j) => runTask(c.gw.url, `k${j}`, `one line ${i + j}`)));
        for (const r of rs) expect(r.status, JSON.stringify(r.body)).toBe(200);
      }
    };
    // Claude Code's own rotation aside: a copy of its settings a minute (it keeps the newest five) and
    // its daily clean-up's marker.
    // and the files of the processes alive at the time (the pool's reusable ones: their session file,
    // lock key and socket), which go when they end.
    const own = (f: string) =>
      /\/backups\/\.claude\.json\.backup\.\d+$|\/\.last-cleanup$/.test(f) ||
      (/\/(sessions|cc-socks)\/\d+\./.test(f) && ofRunning(f));
    const count = () => claudeDirs(c).map((d) => filesUnder(d).filter((f) => !own(f)).length);
    await run(20);
    const settled = async () => {
      // Processes being cleared or ended have their files still: compare once the pool is at rest.
      await eventually(async () => (await turnPids(c)).length === 0, 10_000);
      return count();
    };
    const before = await settled();
    const names = () => claudeDirs(c).flatMap(filesUnder);
    const beforeNames = names();
    await run(280);
    await settled();
    // What a process that started during the run made as it started goes a few seconds later.
    const grown = () => count().some((n, i) => n > (before[i] as number));
    await eventually(
      () => !grown(),
      15_000,
      () => names().filter((f) => !beforeNames.includes(f) && !own(f)),
    );
    expect(filesUnder(path.join(c.configDir, "backups")).length).toBeLessThanOrEqual(5);
  });
});

describe("a session's transcript lives in the database", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    // No warm processes: each turn's process ends after it, so the next turn resumes from the store.
    c = await startClaudeGateway({ ...SKIP, CLAUDE_SPARES: "1", CLAUDE_WARM_SESSIONS: "0" });
    c.fake.setScript(stepsScript);
  });
  afterAll(async () => {
    await c?.close();
  });

  it("a stateless request on a spare keeps no transcript either", async () => {
    await eventually(async () => (await processStats(c.gw)).spare >= 1, 15_000);
    const secret = word();
    const r = await runTask(c.gw.url, "x", `spare ${secret}`);
    expect(r.text).toContain(secret);
    expect(filesHolding(claudeDirs(c), secret)).toEqual([]);
  });

  it("is mirrored, its local files go, and the next turn resumes with the real earlier turns", async () => {
    const secret = word();
    const t1 = await runTask(c.gw.url, "x", `first ${secret} ${steps([bash("echo TOOL-OUTPUT-1")])}`, {
      session: "s-exact",
    });
    expect(t1.status, JSON.stringify(t1.body)).toBe(200);
    expect(t1.text).toContain("OK: TOOL-OUTPUT-1");
    const claudeSession = upstreamOf(c, "s-exact");
    const entries = await eventually(() => {
      const e = stored(c, claudeSession);
      return e.some((x) => x.entry.includes("TOOL-OUTPUT-1")) ? e : undefined;
    }, 5_000);
    expect(entries.map((e) => JSON.parse(e.entry).type)).toEqual(expect.arrayContaining(["user", "assistant"]));
    // Its process ended: the local transcript went once stored.
    await eventually(
      () => filesHolding(claudeDirs(c), secret).length === 0,
      10_000,
      () => filesHolding(claudeDirs(c), secret),
    );
    const n = c.fake.requests.length;
    const t2 = await runTask(c.gw.url, "x", "second turn", { session: "s-exact" });
    expect(t2.status, JSON.stringify(t2.body)).toBe(200);
    const sent = c.fake.requests.slice(n).filter(isMainRequest).at(-1) as RecordedRequest;
    const turns = upstreamTurns(sent.body);
    expect(turns.text).not.toContain("<conversation_history>");
    expect(turns.blocks).toEqual(expect.arrayContaining(["tool_use:Bash", "tool_result"]));
    expect(turns.text).toContain(secret);
    expect(turns.text).toContain("TOOL-OUTPUT-1");
    expect(upstreamOf(c, "s-exact")).toBe(claudeSession);
    // The console's request page reads the tool call in full from the same stored entries.
    const [first] = c.gw.query("SELECT id FROM Request WHERE sessionId = 's-exact' ORDER BY createdAt LIMIT 1");
    const bashStep = (await detail(c, first.id)).steps.find((x: any) => x.tool === "Bash");
    expect(bashStep.full.input).toContain("echo TOOL-OUTPUT-1");
    expect(bashStep.full.result).toContain("TOOL-OUTPUT-1");
  });

  it("a database that refuses the transcript: the turn goes on, the file stays, and is stored once it can be", async () => {
    exec(
      c.gw.dbPath,
      "CREATE TRIGGER refuse_transcripts BEFORE INSERT ON TranscriptEntry BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    const secret = word();
    try {
      const t1 = await runTask(c.gw.url, "x", `refused ${secret}`, { session: "s-refused" });
      expect(t1.status, JSON.stringify(t1.body)).toBe(200);
      await eventually(() => c.gw.logs.join("").includes("transcript mirror failed"), 20_000);
      const claudeSession = upstreamOf(c, "s-refused");
      expect(stored(c, claudeSession)).toEqual([]);
      // Its process ended (no warm processes here): the transcript could not be stored, so it stays.
      await eventually(() => c.gw.logs.join("").includes(`transcript ${claudeSession} not stored yet`), 10_000);
      expect(filesHolding([c.configDir], secret).length).toBe(1);
    } finally {
      exec(c.gw.dbPath, "DROP TRIGGER refuse_transcripts");
    }
    // The next start's sweep stores it and removes the file; the session goes on from it.
    await c.restart();
    await eventually(() => filesHolding([c.configDir], secret).length === 0, 15_000);
    expect(stored(c, upstreamOf(c, "s-refused")).length).toBeGreaterThan(0);
    const t2 = await runTask(c.gw.url, "x", "go on", { session: "s-refused" });
    expect(t2.status).toBe(200);
    const sent = upstreamTurns(c.fake.requests.filter(isMainRequest).at(-1)?.body);
    expect(sent.text).not.toContain("<conversation_history>");
    expect(sent.text).toContain(`refused ${secret}`);
  });

  it("a killed gateway's leftovers go when the restarted one starts its first process", async () => {
    const secret = word();
    const slow = c.gw; // the instance to kill
    const t1 = await runTask(slow.url, "x", `kill test ${secret}`, { session: "s-killed" });
    expect(t1.status).toBe(200);
    // A turn in flight when the gateway dies: its process leaves its files.
    const pending = runTask(slow.url, "x", `dies ${secret} [[fake:slow=400]] [[fake:slow=400]]`, {
      session: "s-killed",
    }).catch(() => null);
    await eventually(async () => (await turnPids(c).catch(() => [])).length > 0, 10_000);
    slow.kill("SIGKILL");
    await pending;
    await eventually(() => claudeLeaders(c.configDir).length === 0, 10_000);
    // What it left: the session's local transcript (written back for the resume), its process's file.
    expect(filesHolding([c.configDir], secret).length).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(c.configDir, "sessions")).filter((f) => !ofRunning(f)).length).toBeGreaterThan(0);
    await c.restart();
    await eventually(
      () => filesHolding(claudeDirs(c), secret).length === 0,
      15_000,
      () => filesHolding(claudeDirs(c), secret),
    );
    expect(fs.readdirSync(path.join(c.configDir, "sessions")).filter((f) => !ofRunning(f))).toEqual([]);
    const socks = filesUnder(tmpOf(c)).filter((f) => path.basename(path.dirname(f)) === "cc-socks");
    expect(socks.filter((f) => !ofRunning(f))).toEqual([]);
    // And the session goes on from what was stored.
    const t3 = await runTask(c.gw.url, "x", "after restart", { session: "s-killed" });
    expect(t3.status, JSON.stringify(t3.body)).toBe(200);
    expect(upstreamTurns(c.fake.requests.filter(isMainRequest).at(-1)?.body).text).toContain(`kill test ${secret}`);
  });
});

describe("CLAUDE_TRANSCRIPTS=local", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    c = await startClaudeGateway({
      ...SKIP,
      CLAUDE_SPARES: "0",
      CLAUDE_WARM_SESSIONS: "0",
      CLAUDE_TRANSCRIPTS: "local",
    });
    c.fake.setScript(stepsScript);
  });
  afterAll(async () => {
    await c?.close();
  });

  it("keeps a session's transcript in Claude Code's own files only, and resumes from them", async () => {
    const secret = word();
    const t1 = await runTask(c.gw.url, "x", `local ${secret} ${steps([bash("echo LOCAL-TOOL")])}`, {
      session: "s-local",
    });
    expect(t1.status, JSON.stringify(t1.body)).toBe(200);
    const claudeSession = upstreamOf(c, "s-local");
    expect(stored(c, claudeSession)).toEqual([]);
    expect(filesHolding([path.join(c.configDir, "projects")], secret).length).toBe(1);
    const t2 = await runTask(c.gw.url, "x", "again", { session: "s-local" });
    expect(t2.status, JSON.stringify(t2.body)).toBe(200);
    const sent = upstreamTurns(c.fake.requests.filter(isMainRequest).at(-1)?.body);
    expect(sent.text).not.toContain("<conversation_history>");
    expect(sent.blocks).toEqual(expect.arrayContaining(["tool_use:Bash", "tool_result"]));
    expect(stored(c, claudeSession)).toEqual([]);
  });
});
