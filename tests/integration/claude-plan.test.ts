/**
 * The Claude plan's limits (issue 18) with the real `claude` behind the gateway: an OAuth login
 * (CLAUDE_CODE_OAUTH_TOKEN, a fake token; no ANTHROPIC_API_KEY) against the fake Anthropic API sending
 * `anthropic-ratelimit-unified-*` headers. The CLI turns them into rate_limit_event messages; the
 * gateway keeps the state (GET /v1/usage/quota, /metrics, a log line), keeps it over a restart, and
 * CLAUDE_PLAN_GUARD refuses before any process or upstream call, until the window has reset.
 */
import parsePrometheus from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planHeaders } from "../fakes/anthropic";
import { type ClaudeSetup, claudePids, startClaudeGateway } from "../helpers/claude";
import { eventually, type Gateway } from "../helpers/gateway";
import { expectError } from "../helpers/schema";
import { ADMIN, chat, createKey } from "./keys-client";

const OAUTH = { ANTHROPIC_API_KEY: undefined, CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-fake-token-for-tests" };
const sec = (msFromNow: number) => Math.floor((Date.now() + msFromNow) / 1000);
const HOUR = 3_600_000;
/** How long the windows that tests wait out last: long enough for the turns before the refusals. */
const SHORT_WINDOW_MS = 25_000;

const quota = async (gw: Gateway, auth: Record<string, string> = { authorization: `Bearer ${ADMIN}` }) => {
  const res = await fetch(`${gw.url}/v1/usage/quota`, { headers: auth });
  return { status: res.status, body: (await res.json()) as any };
};

const metricsOf = async (gw: Gateway) => {
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const families = parsePrometheus(await res.text());
  const series = (name: string) =>
    Object.fromEntries(
      (families.find((f) => f.name === name)?.metrics ?? []).map((m: any) => [m.labels.window, Number(m.value)]),
    );
  return {
    utilization: series("ccbridge_claude_plan_utilization"),
    resetsAt: series("ccbridge_claude_plan_resets_at_seconds"),
    refusals: series("ccbridge_claude_plan_refusals_total"),
  };
};

const statusLines = (gw: Gateway) => gw.logLines().filter((l) => l.msg === "claude plan status");

const ask = (gw: Gateway, content: string) => chat(gw, ADMIN, "claude-code", { content });

const responses = (gw: Gateway, input: string) =>
  fetch(`${gw.url}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ model: "claude-code", input }),
  });

/** The console login's cookie (POST /auth/login with the admin key). */
async function consoleCookie(gw: Gateway): Promise<string> {
  const res = await fetch(`${gw.url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ key: ADMIN, next: "/dashboard" }).toString(),
    redirect: "manual",
  });
  return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

/** Refused on every API (chat completions, streamed and not, Responses, Anthropic Messages), before any process or upstream call; each refusal recorded. */
async function expectRefused(c: ClaudeSetup, window: string, resetsAt: number) {
  const calls = c.fake.requests.length;
  const records = c.gw.records().length;
  const before = Date.now();
  const r = await ask(c.gw, "refuse me");
  expect(r.status, r.text).toBe(429);
  expectError(r.body);
  expect(r.body.error).toMatchObject({ code: "plan_limit_reached", type: "rate_limit_error" });
  expect(r.body.error.message).toContain(`window (${window})`);
  const retry = Number(r.headers.get("retry-after"));
  expect(retry).toBeGreaterThanOrEqual(Math.floor(resetsAt - Date.now() / 1000));
  expect(retry).toBeLessThanOrEqual(Math.ceil(resetsAt - before / 1000));

  const stream = await chat(c.gw, ADMIN, "claude-code", { content: "refuse my stream", stream: true });
  expect(stream.status).toBe(429);
  expect(stream.body.error.code).toBe("plan_limit_reached");

  const resp = await responses(c.gw, "refuse me too");
  expect(resp.status).toBe(429);
  expect(Number(resp.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  const body = (await resp.json()) as any;
  expect(body.error).toMatchObject({ code: "plan_limit_reached", type: "rate_limit_error" });

  // Anthropic's Messages API answers it in Anthropic's shape.
  const msg = await fetch(`${c.gw.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": ADMIN, "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "claude-code", max_tokens: 100, messages: [{ role: "user", content: "refuse" }] }),
  });
  expect(msg.status).toBe(429);
  expect(Number(msg.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  const anth = (await msg.json()) as any;
  expect(anth).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
  expect(anth.error.message).toContain(`window (${window})`);

  // No upstream call, no claude process (CLAUDE_SPARES=0: none waits ahead either).
  expect(c.fake.requests.length).toBe(calls);
  expect(claudePids(c.configDir)).toEqual([]);
  const refused = await eventually(() => {
    const rows = c.gw.records().slice(records);
    return rows.length === 4 ? rows : null;
  });
  expect(refused.map((x) => [x.endpoint, x.httpStatus, x.errorCode, x.status, x.provider])).toEqual([
    ["/v1/chat/completions", 429, "plan_limit_reached", "error", "claude-code"],
    ["/v1/chat/completions", 429, "plan_limit_reached", "error", "claude-code"],
    ["/v1/responses", 429, "plan_limit_reached", "error", "claude-code"],
    ["/v1/messages", 429, "plan_limit_reached", "error", "claude-code"],
  ]);
}

describe("a plan login (OAuth) behind the gateway, CLAUDE_PLAN_GUARD=no-overage", () => {
  let c: ClaudeSetup;
  /** The second gateway: a utilization threshold (0.5). */
  let t: ClaudeSetup;
  const five = sec(3 * HOUR);
  const seven = sec(100 * HOUR);
  let shortReset = 0;

  beforeAll(async () => {
    // No process kept (no spare, none cleared for reuse): a refused request must leave none either.
    const common = { ...OAUTH, CLAUDE_AUTH_KEY: ADMIN, CLAUDE_SPARES: "0", CLAUDE_SPARES_MAX: "0" };
    [c, t] = await Promise.all([
      startClaudeGateway({ ...common, CLAUDE_PLAN_GUARD: "no-overage" }),
      startClaudeGateway({ ...common, CLAUDE_PLAN_GUARD: "0.5" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([c?.close(), t?.close()]);
  });

  it("before any turn: plan unknown, no windows, nothing refused", async () => {
    const q = await quota(c.gw);
    expect(q.status).toBe(200);
    expect(q.body).toEqual({
      object: "claude.plan",
      plan: "unknown",
      observed_at: null,
      overage: { status: null, disabled_reason: null, resets_at: null, in_use: false },
      guard: { mode: "no-overage", threshold: null },
      windows: {},
    });
  });

  it("a turn's headers appear on /v1/usage/quota, /metrics and in a log line", async () => {
    c.fake.setPlanHeaders(
      planHeaders({
        fiveHour: { utilization: 0.42, reset: five, status: "allowed" },
        sevenDay: { utilization: 0.13, reset: seven, status: "allowed" },
        overageStatus: "rejected",
        overageDisabledReason: "out_of_credits",
      }),
    );
    const r = await ask(c.gw, "hello plan");
    expect(r.status, r.text).toBe(200);
    // The CLI really was on an OAuth login: a bearer token, no x-api-key.
    const call = c.fake.mainRequests().at(-1);
    expect(call?.headers.authorization).toBe(`Bearer ${OAUTH.CLAUDE_CODE_OAUTH_TOKEN}`);
    expect(call?.headers["x-api-key"]).toBeUndefined();

    const q = await eventually(async () => {
      const x = await quota(c.gw);
      return x.body.windows.five_hour ? x.body : null;
    });
    expect(q.plan).toBe("subscription");
    expect(q.overage).toEqual({
      status: "rejected",
      disabled_reason: "out_of_credits",
      resets_at: null,
      in_use: false,
    });
    expect(q.windows.five_hour).toMatchObject({
      utilization: 0.42,
      resets_at: new Date(five * 1000).toISOString(),
      status: "allowed",
      overage_status: "rejected",
      overage_disabled_reason: "out_of_credits",
      using_overage: false,
      current: true,
    });
    expect(q.windows.seven_day).toMatchObject({ utilization: 0.13, resets_at: new Date(seven * 1000).toISOString() });
    expect(Date.now() - Date.parse(q.observed_at)).toBeLessThan(60_000);

    const m = await metricsOf(c.gw);
    expect(m.utilization).toEqual({ five_hour: 0.42, seven_day: 0.13 });
    expect(m.resetsAt).toEqual({ five_hour: five, seven_day: seven });
    expect(statusLines(c.gw)).toEqual([
      expect.objectContaining({ level: "info", window: "five_hour", previous: null, status: "allowed" }),
      expect.objectContaining({ level: "info", window: "seven_day", previous: null, status: "allowed" }),
    ]);
  });

  it("only the admin key and the console login read it", async () => {
    expect((await quota(c.gw, {})).status).toBe(401);
    expect((await quota(c.gw, { authorization: "Bearer wrong" })).status).toBe(401);
    const k = await createKey(c.gw, { name: "plan-reader" });
    const byKey = await quota(c.gw, { authorization: `Bearer ${k.key}` });
    expect(byKey.status).toBe(403);
    expectError(byKey.body);
    const cookie = await consoleCookie(c.gw);
    expect(cookie).toMatch(/=/);
    const byConsole = await quota(c.gw, { cookie });
    expect(byConsole.status).toBe(200);
    expect(byConsole.body.plan).toBe("subscription");
  });

  it("updates when the headers change (a status change is logged)", async () => {
    c.fake.setPlanHeaders(
      planHeaders({
        status: "allowed_warning",
        fiveHour: { utilization: 0.77, reset: five, status: "allowed_warning" },
        sevenDay: { utilization: 0.2, reset: seven, status: "allowed" },
        overageStatus: "rejected",
        overageDisabledReason: "out_of_credits",
      }),
    );
    expect((await ask(c.gw, "more")).status).toBe(200);
    const q = await eventually(async () => {
      const x = await quota(c.gw);
      return x.body.windows.five_hour.utilization === 0.77 ? x.body : null;
    });
    expect(q.windows.five_hour.status).toBe("allowed_warning");
    expect(q.windows.seven_day.utilization).toBe(0.2);
    expect((await metricsOf(c.gw)).utilization).toEqual({ five_hour: 0.77, seven_day: 0.2 });
    expect(statusLines(c.gw).at(-1)).toMatchObject({
      window: "five_hour",
      previous: "allowed",
      status: "allowed_warning",
      utilization: 0.77,
    });
  });

  it("survives a restart", async () => {
    const before = (await quota(c.gw)).body;
    await c.restart();
    const after = await quota(c.gw);
    expect(after.body).toEqual(before);
    expect((await metricsOf(c.gw)).utilization).toEqual({ five_hour: 0.77, seven_day: 0.2 });
  });

  it("no-overage: a turn that ran on overage is the last; then 429 plan_limit_reached on every API", async () => {
    shortReset = sec(SHORT_WINDOW_MS);
    c.fake.setPlanHeaders(
      planHeaders({
        status: "rejected",
        reset: shortReset,
        fiveHour: { utilization: 1, reset: shortReset, status: "rejected" },
        sevenDay: { utilization: 0.3, reset: seven, status: "allowed" },
        overageStatus: "allowed",
      }),
    );
    // The plan's window is used up, overage is allowed: the API answers, billed as overage.
    expect((await ask(c.gw, "on overage")).status).toBe(200);
    const q = await eventually(async () => {
      const x = await quota(c.gw);
      return x.body.windows.five_hour.using_overage ? x.body : null;
    });
    expect(q.overage).toMatchObject({ status: "allowed", in_use: true });
    expect(q.windows.five_hour).toMatchObject({ status: "rejected", utilization: 1, using_overage: true });
    expect(statusLines(c.gw).at(-1)).toMatchObject({
      level: "warn",
      window: "five_hour",
      status: "rejected",
      using_overage: true,
    });
    await eventually(() => claudePids(c.configDir).length === 0);

    await expectRefused(c, "five_hour", shortReset);
    expect((await metricsOf(c.gw)).refusals).toEqual({ five_hour: 4 });
  });

  it("a threshold (0.5): refuses at or above it, naming the window", async () => {
    t.fake.setPlanHeaders(
      planHeaders({
        fiveHour: { utilization: 0.6, reset: shortReset, status: "allowed" },
        sevenDay: { utilization: 0.1, reset: seven, status: "allowed" },
        overageStatus: "rejected",
        overageDisabledReason: "org_level_disabled",
      }),
    );
    expect((await ask(t.gw, "below the line")).status).toBe(200);
    await eventually(async () => (await quota(t.gw)).body.windows.five_hour?.utilization === 0.6);
    await eventually(() => claudePids(t.configDir).length === 0);
    await expectRefused(t, "five_hour", shortReset);
    const r = await ask(t.gw, "again");
    expect(r.body.error.message).toContain(
      "is at 60%, at or above this gateway's limit of 50% (CLAUDE_PLAN_GUARD=0.5)",
    );
  });

  it("lets turns through again once the window has reset (the old state is not used)", async () => {
    // Wait out the short window (no assertion on time: the state just has to be older than its reset).
    await new Promise((r) => setTimeout(r, Math.max(0, shortReset * 1000 + 500 - Date.now())));
    const calls = c.fake.requests.length;
    const q = await quota(c.gw);
    expect(q.body.windows.five_hour).toMatchObject({ status: "rejected", current: false });
    expect(q.body.overage.in_use).toBe(false);
    expect((await metricsOf(c.gw)).utilization).toEqual({ seven_day: 0.3 });

    const next = sec(5 * HOUR);
    for (const s of [c, t]) {
      s.fake.setPlanHeaders(
        planHeaders({
          fiveHour: { utilization: 0.01, reset: next, status: "allowed" },
          sevenDay: { utilization: 0.3, reset: seven, status: "allowed" },
        }),
      );
      const r = await ask(s.gw, "a new window");
      expect(r.status, r.text).toBe(200);
    }
    expect(c.fake.requests.length).toBeGreaterThan(calls);
    const after = await eventually(async () => {
      const x = await quota(c.gw);
      return x.body.windows.five_hour.utilization === 0.01 ? x.body : null;
    });
    expect(after.windows.five_hour).toMatchObject({ status: "allowed", current: true, using_overage: false });
    expect(statusLines(c.gw).at(-1)).toMatchObject({ window: "five_hour", previous: "rejected", status: "allowed" });
  });
});

describe("an API-key login", () => {
  let c: ClaudeSetup;
  beforeAll(async () => {
    // The strictest guard, and an API that would say the plan is used up: an API key has no plan.
    c = await startClaudeGateway({ CLAUDE_AUTH_KEY: ADMIN, CLAUDE_PLAN_GUARD: "0.01" });
    c.fake.setPlanHeaders(
      planHeaders({
        status: "rejected",
        fiveHour: { utilization: 1, reset: sec(HOUR), status: "rejected" },
        overageStatus: "allowed",
      }),
    );
  });
  afterAll(async () => {
    await c?.close();
  });

  it("shows plan api_key with no windows, and the guard never refuses", async () => {
    for (const content of ["first", "second", "third"]) {
      const r = await ask(c.gw, content);
      expect(r.status, r.text).toBe(200);
    }
    expect(c.fake.mainRequests().at(-1)?.headers["x-api-key"]).toBe("sk-test-fake");
    const q = await eventually(async () => {
      const x = await quota(c.gw);
      return x.body.plan === "api_key" ? x.body : null;
    });
    expect(q).toMatchObject({ plan: "api_key", observed_at: null, windows: {} });
    const m = await metricsOf(c.gw);
    expect(m.utilization).toEqual({});
    expect(m.refusals).toEqual({});
    expect(statusLines(c.gw)).toEqual([]);
  });
});
