// The plan's state from rate_limit_event messages (info.ts), what CLAUDE_PLAN_GUARD refuses (rules.ts)
// and the quota shape (quota.ts). The events are the ones the real CLI 2.1.332 emitted here against a
// fake API sending anthropic-ratelimit-unified-* headers (tests/integration/claude-plan.test.ts runs it).
import { describe, expect, it } from "vitest";
import { parseEnv } from "../env-schema";
import { loginOfSource, type PlanState, planKindOf, windowsOfEvent } from "./info";
import { quotaOf } from "./quota";
import { refusalMessage, refusalOf } from "./rules";

const NOW = Date.UTC(2026, 11, 3, 9, 0, 0);
const AT = new Date(NOW - 60_000);
const sec = (ms: number) => Math.floor(ms / 1000);
const H5 = sec(NOW + 2 * 3_600_000);
const D7 = sec(NOW + 4 * 86_400_000);

/** As the CLI sends it: the binding window's status on top, every window in unifiedWindows. */
const event = (over: Record<string, unknown> = {}, five: Record<string, unknown> = {}) => ({
  status: "allowed",
  resetsAt: H5,
  rateLimitType: "five_hour",
  overageStatus: "rejected",
  overageDisabledReason: "out_of_credits",
  isUsingOverage: false,
  unifiedWindows: {
    five_hour: { utilization: 0.42, resetsAt: H5, status: "allowed", ...five },
    seven_day: { utilization: 0.13, resetsAt: D7, status: "allowed" },
  },
  ...over,
});

const stateOf = (info: unknown, plan: PlanState["plan"] = "subscription"): PlanState => ({
  plan,
  windows: windowsOfEvent(info, AT),
});
const guard = (v: string) => {
  const r = parseEnv({ CLAUDE_PLAN_GUARD: v });
  if (!r.ok) throw new Error(r.message);
  return r.env.CLAUDE_PLAN_GUARD;
};

describe("windowsOfEvent", () => {
  it("keeps each window with its utilization, reset, status and the event's overage fields", () => {
    const w = windowsOfEvent(event(), AT);
    expect(w).toEqual([
      {
        window: "five_hour",
        status: "allowed",
        utilization: 0.42,
        resetsAt: new Date(H5 * 1000),
        overageStatus: "rejected",
        overageDisabledReason: "out_of_credits",
        overageResetsAt: null,
        usingOverage: false,
        observedAt: AT,
      },
      {
        window: "seven_day",
        status: "allowed",
        utilization: 0.13,
        resetsAt: new Date(D7 * 1000),
        overageStatus: "rejected",
        overageDisabledReason: "out_of_credits",
        overageResetsAt: null,
        usingOverage: false,
        observedAt: AT,
      },
    ]);
  });

  it("gives the binding window the event's status, and a window it names that unifiedWindows lacks", () => {
    const opus = windowsOfEvent(
      event({ status: "rejected", rateLimitType: "seven_day_opus", resetsAt: D7, utilization: 1 }),
      AT,
    );
    expect(opus.find((w) => w.window === "seven_day_opus")).toMatchObject({
      status: "rejected",
      utilization: 1,
      resetsAt: new Date(D7 * 1000),
    });
    const rejected = windowsOfEvent(event({ status: "rejected" }, { status: undefined, utilization: 1 }), AT);
    expect(rejected[0]).toMatchObject({ window: "five_hour", status: "rejected" });
  });

  it("marks the exhausted windows as the ones running on overage", () => {
    const w = windowsOfEvent(
      event(
        { status: "rejected", overageStatus: "allowed", isUsingOverage: true },
        { utilization: 1, status: "rejected" },
      ),
      AT,
    );
    expect(w.map((x) => [x.window, x.usingOverage])).toEqual([
      ["five_hour", true],
      ["seven_day", false],
    ]);
  });

  it("ignores what is not an event: no windows, odd names, the reserved `plan` row", () => {
    expect(windowsOfEvent(null, AT)).toEqual([]);
    expect(windowsOfEvent({ status: "allowed" }, AT)).toEqual([]);
    expect(
      windowsOfEvent({ unifiedWindows: { "Bad Name": { utilization: 1 }, plan: { utilization: 1 } } }, AT),
    ).toEqual([]);
  });
});

describe("the login", () => {
  it("an API key source is `api_key`; an OAuth login (`none`) says nothing by itself", () => {
    expect(loginOfSource("ANTHROPIC_API_KEY")).toBe("api_key");
    expect(loginOfSource("apiKeyHelper")).toBe("api_key");
    expect(loginOfSource("none")).toBeNull();
    expect(loginOfSource("oauth")).toBeNull();
    expect(planKindOf(null, [])).toBe("unknown");
    expect(planKindOf(null, windowsOfEvent(event(), AT))).toBe("subscription");
    expect(planKindOf("api_key", windowsOfEvent(event(), AT))).toBe("api_key");
  });
});

describe("refusalOf", () => {
  it("off refuses nothing, whatever the state", () => {
    expect(refusalOf(stateOf(event({ status: "rejected" })), guard("off"), NOW)).toBeNull();
  });

  it("no-overage refuses an exhausted window, with seconds until its reset", () => {
    const s = stateOf(event({ status: "rejected" }, { utilization: 1, status: "rejected" }));
    const r = refusalOf(s, guard("no-overage"), NOW);
    expect(r).toMatchObject({ window: "five_hour", reason: "exhausted", retryAfter: 7_200 });
    expect(refusalMessage(r!, guard("no-overage"))).toMatch(
      /^The Claude plan's 5-hour window \(five_hour\) \(100% used\) is used up;.*CLAUDE_PLAN_GUARD=no-overage.*resets at 2026-12-03T11:00:00\.000Z, in 7200 s\.$/,
    );
  });

  it("no-overage refuses turns that ran on overage, and lets an allowed plan through", () => {
    const over = event({ status: "rejected", overageStatus: "allowed", isUsingOverage: true }, { utilization: 1 });
    expect(refusalOf(stateOf(over), guard("no-overage"), NOW)).toMatchObject({ window: "five_hour" });
    expect(refusalOf(stateOf(event({}, { utilization: 0.99 })), guard("no-overage"), NOW)).toBeNull();
  });

  it("a threshold also refuses at or above that utilization of any window", () => {
    const s = stateOf(event({}, { utilization: 0.9 }));
    expect(refusalOf(s, guard("0.9"), NOW)).toMatchObject({ window: "five_hour", reason: "threshold" });
    expect(refusalOf(s, guard("0.95"), NOW)).toBeNull();
    expect(refusalMessage(refusalOf(s, guard("0.9"), NOW)!, guard("0.9"))).toContain(
      "is at 90%, at or above this gateway's limit of 90% (CLAUDE_PLAN_GUARD=0.9)",
    );
    // Both windows over: the one that resets last is named (the turn waits for both).
    const both = stateOf(event({}, { utilization: 0.95 }));
    expect(refusalOf(both, guard("0.1"), NOW)).toMatchObject({ window: "seven_day", retryAfter: 4 * 86_400 });
  });

  it("a state older than its window's reset is not used", () => {
    const s = stateOf(event({ status: "rejected" }, { utilization: 1, status: "rejected" }));
    expect(refusalOf(s, guard("no-overage"), H5 * 1000 - 1)).not.toBeNull();
    expect(refusalOf(s, guard("no-overage"), H5 * 1000)).toBeNull();
  });

  it("an API-key login and a plan with no state are never refused", () => {
    const s = stateOf(event({ status: "rejected" }, { utilization: 1, status: "rejected" }), "api_key");
    expect(refusalOf(s, guard("0.01"), NOW)).toBeNull();
    expect(refusalOf({ plan: "unknown", windows: [] }, guard("0.01"), NOW)).toBeNull();
  });
});

describe("quotaOf", () => {
  it("shows the windows by name, the overage, the guard and when the state was seen", () => {
    const q = quotaOf(stateOf(event()), guard("0.8"), NOW);
    expect(q).toEqual({
      object: "claude.plan",
      plan: "subscription",
      observed_at: AT.toISOString(),
      overage: { status: "rejected", disabled_reason: "out_of_credits", resets_at: null, in_use: false },
      guard: { mode: "threshold", threshold: 0.8 },
      windows: {
        five_hour: {
          label: "5-hour",
          utilization: 0.42,
          resets_at: new Date(H5 * 1000).toISOString(),
          status: "allowed",
          overage_status: "rejected",
          overage_disabled_reason: "out_of_credits",
          overage_resets_at: null,
          using_overage: false,
          observed_at: AT.toISOString(),
          current: true,
        },
        seven_day: expect.objectContaining({ utilization: 0.13, current: true }),
      },
    });
    expect(quotaOf(stateOf(event()), guard("off"), H5 * 1000).windows.five_hour?.current).toBe(false);
  });

  it("an API-key login has no windows; nothing seen is `unknown`", () => {
    expect(quotaOf(stateOf(event(), "api_key"), guard("off"), NOW)).toMatchObject({ plan: "api_key", windows: {} });
    expect(quotaOf({ plan: "unknown", windows: [] }, guard("off"), NOW)).toMatchObject({
      plan: "unknown",
      observed_at: null,
      windows: {},
    });
  });
});

describe("CLAUDE_PLAN_GUARD", () => {
  it("is off by default; takes no-overage or a utilization above 0 up to 1", () => {
    expect(guard("")).toBe("off");
    const defaults = parseEnv({});
    expect(defaults.ok && defaults.env.CLAUDE_PLAN_GUARD).toBe("off");
    expect(guard(" No-Overage ")).toBe("no-overage");
    expect(guard("0.9")).toBe(0.9);
    expect(guard(".5")).toBe(0.5);
    expect(guard("1")).toBe(1);
    for (const bad of ["0", "1.5", "90%", "-0.1", "yes"]) {
      const r = parseEnv({ CLAUDE_PLAN_GUARD: bad });
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toContain("CLAUDE_PLAN_GUARD: expected off, no-overage, or a utilization");
    }
  });
});
