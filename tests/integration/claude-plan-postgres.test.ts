/**
 * Two gateway instances on one PostgreSQL share the Claude plan's state (issue 18): what the real `claude`
 * of instance A reports (an OAuth login against the fake API's anthropic-ratelimit-unified-* headers) is
 * what instance B shows on /v1/usage/quota and /metrics, and B's guard refuses on it before any process
 * or upstream call of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planHeaders } from "../fakes/anthropic";
import { type ClaudeSetup, claudePids, startClaudeGateway } from "../helpers/claude";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";
import { migratePg, type PgCluster, startPostgres } from "../helpers/postgres";
import { ADMIN, chat } from "./keys-client";

let cluster: PgCluster;
let a: ClaudeSetup;
let b: Gateway;

const sec = (msFromNow: number) => Math.floor((Date.now() + msFromNow) / 1000);
const auth = { authorization: `Bearer ${ADMIN}` };
const quota = async (gw: Gateway) => (await (await fetch(`${gw.url}/v1/usage/quota`, { headers: auth })).json()) as any;

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase("plan");
  await migratePg(url);
  a = await startClaudeGateway({
    ANTHROPIC_API_KEY: undefined,
    CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-fake-token-for-tests",
    DATABASE_URL: url,
    CLAUDE_AUTH_KEY: ADMIN,
    CLAUDE_PLAN_GUARD: "no-overage",
    CLAUDE_SPARES: "0",
    CLAUDE_SPARES_MAX: "0",
  });
  // Instance B: the same configuration, the same database and upstream.
  b = await startGateway(a.env);
});

afterAll(async () => {
  await b?.stop();
  await a?.close();
  cluster?.stop();
});

describe("the Claude plan's state on PostgreSQL", () => {
  it("what instance A's claude reports, instance B shows", async () => {
    expect((await quota(b)).plan).toBe("unknown");
    const five = sec(3_600_000);
    a.fake.setPlanHeaders(
      planHeaders({
        fiveHour: { utilization: 0.42, reset: five, status: "allowed" },
        sevenDay: { utilization: 0.1, reset: sec(90 * 3_600_000), status: "allowed" },
        overageStatus: "rejected",
        overageDisabledReason: "out_of_credits",
      }),
    );
    const r = await chat(a.gw, ADMIN, "claude-code", { content: "from A" });
    expect(r.status, r.text).toBe(200);
    const q = await eventually(async () => {
      const x = await quota(b);
      return x.windows.five_hour ? x : null;
    });
    expect(q).toMatchObject({
      plan: "subscription",
      windows: { five_hour: { utilization: 0.42, resets_at: new Date(five * 1000).toISOString(), status: "allowed" } },
    });
    const metrics = await (await fetch(`${b.url}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/^ccbridge_claude_plan_utilization\{window="five_hour"\} 0\.42$/m);
    const rows = await cluster.query<{ window: string; status: string }>(
      "plan",
      `SELECT "window", "status" FROM "ClaudePlan" ORDER BY "window"`,
    );
    expect(rows).toEqual([
      { window: "five_hour", status: "allowed" },
      { window: "plan", status: "subscription" },
      { window: "seven_day", status: "allowed" },
    ]);
  });

  it("B refuses once A's turn ran on overage, with no upstream call", async () => {
    const reset = sec(2 * 3_600_000);
    a.fake.setPlanHeaders(
      planHeaders({
        status: "rejected",
        fiveHour: { utilization: 1, reset, status: "rejected" },
        overageStatus: "allowed",
      }),
    );
    expect((await chat(a.gw, ADMIN, "claude-code", { content: "on overage" })).status).toBe(200);
    await eventually(async () => (await quota(b)).overage.in_use === true);
    await eventually(() => claudePids(a.configDir).length === 0);
    const calls = a.fake.requests.length;
    const refused = await chat(b, ADMIN, "claude-code", { content: "from B" });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("plan_limit_reached");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(3_500);
    expect(a.fake.requests.length).toBe(calls);
    expect(claudePids(a.configDir)).toEqual([]);
    // A refuses too: the state is one for both.
    expect((await chat(a.gw, ADMIN, "claude-code", { content: "from A again" })).status).toBe(429);
  });
});
