/**
 * Two gateway instances on one PostgreSQL, each with its own CLAUDE_CONFIG_DIR and working folder
 * (issue 28): a Claude Code session's turn 1 on one, turn 2 on the other, turn 3 back on the first.
 * Each turn reaches its upstream with the real earlier turns (the tool call and its result), loaded
 * from the database; the first instance's warm process, which missed turn 2, is not used.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMainRequest } from "../fakes/anthropic";
import { bash, runTask, steps, stepsScript } from "../helpers/agent-tasks";
import { type ClaudeSetup, startClaudeGateway } from "../helpers/claude";
import { migratePg, type PgCluster, startPostgres } from "../helpers/postgres";
import { upstreamTurns } from "../helpers/transcripts";

let cluster: PgCluster;
let a: ClaudeSetup;
let b: ClaudeSetup;

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase("transcripts");
  await migratePg(url);
  const env = { DATABASE_URL: url, CLAUDE_SKIP_PERMS: "true", IS_SANDBOX: "1", CLAUDE_SPARES: "0" };
  [a, b] = await Promise.all([startClaudeGateway(env), startClaudeGateway(env)]);
  a.fake.setScript(stepsScript);
  b.fake.setScript(stepsScript);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  cluster?.stop();
});

/** What the last conversation request of an instance's upstream held. */
const lastSent = (c: ClaudeSetup) => upstreamTurns(c.fake.requests.filter(isMainRequest).at(-1)?.body);

describe("a Claude Code session across two instances on PostgreSQL", () => {
  it("turn 1 on one, turn 2 on the other, turn 3 back: each upstream sees the real earlier turns", async () => {
    const t1 = await runTask(a.gw.url, "x", `on A ${steps([bash("echo FROM-A-TOOL")])}`, { session: "pg-s" });
    expect(t1.status, JSON.stringify(t1.body)).toBe(200);
    expect(t1.text).toContain("OK: FROM-A-TOOL");

    const t2 = await runTask(b.gw.url, "x", "on B: go on", { session: "pg-s" });
    expect(t2.status, JSON.stringify(t2.body)).toBe(200);
    const onB = lastSent(b);
    expect(onB.text).not.toContain("<conversation_history>");
    expect(onB.blocks).toEqual(expect.arrayContaining(["tool_use:Bash", "tool_result"]));
    expect(onB.text).toContain("FROM-A-TOOL");
    expect(onB.text).toContain("on A");

    const t3 = await runTask(a.gw.url, "x", "back on A", { session: "pg-s" });
    expect(t3.status, JSON.stringify(t3.body)).toBe(200);
    const onA = lastSent(a);
    expect(onA.text).not.toContain("<conversation_history>");
    expect(onA.text).toContain("on B: go on");
    expect(onA.blocks).toEqual(expect.arrayContaining(["tool_use:Bash", "tool_result"]));

    const [s] = await cluster.query<{ upstreamSessionId: string; turnCount: number }>(
      "transcripts",
      `SELECT "upstreamSessionId", "turnCount" FROM "Session" WHERE id = 'pg-s'`,
    );
    expect(s!.turnCount).toBe(3);
    const [n] = await cluster.query<{ n: string }>(
      "transcripts",
      `SELECT COUNT(*) AS n FROM "TranscriptEntry" WHERE "sessionId" = $1`,
      [s!.upstreamSessionId],
    );
    expect(Number(n!.n)).toBeGreaterThan(0);
  });
});
