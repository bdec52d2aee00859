// The plan's state on a real SQLite database (the migrated template): events saved and read back, a JSON
// log line when a window's status changes, the login from `apiKeySource`, and the guard's refusal.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDb, query } from "../../../tests/helpers/seed";

let S: typeof import("./state");
let guardPlan: typeof import("./guard").guardPlan;
let resolveTarget: typeof import("../providers/registry").resolveTarget;
let file: string;

beforeAll(async () => {
  file = freshDb("claude-plan");
  process.env.CLAUDE_PLAN_GUARD = "no-overage";
  S = await import("./state");
  ({ guardPlan } = await import("./guard"));
  ({ resolveTarget } = await import("../providers/registry"));
});

/** The JSON log lines written while `fn` runs. */
async function logged(fn: () => Promise<void>): Promise<any[]> {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return lines.map((l) => JSON.parse(l));
}

/** What a new process of this gateway would see: the state kept in this process is dropped. */
const restart = () => {
  (globalThis as { __ccBridgePlan?: unknown }).__ccBridgePlan = undefined;
};
afterEach(restart);

const inSec = (ms: number) => Math.floor((Date.now() + ms) / 1000);
const info = (status: string, utilization: number, resetsAt = inSec(3_600_000)) => ({
  status,
  resetsAt,
  rateLimitType: "five_hour",
  overageStatus: "rejected",
  overageDisabledReason: "org_level_disabled",
  isUsingOverage: false,
  unifiedWindows: {
    five_hour: { utilization, resetsAt, status },
    seven_day: { utilization: 0.2, resetsAt: inSec(86_400_000), status: "allowed" },
  },
});

describe("the plan's state", () => {
  it("saves what a rate_limit_event reports, logs each status change once, and a restart reads it back", async () => {
    const first = await logged(async () => {
      S.notePlanEvent(info("allowed", 0.5));
      await S.planWritesDone();
    });
    expect(first.filter((l) => l.msg === "claude plan status").map((l) => [l.window, l.previous, l.status])).toEqual([
      ["five_hour", null, "allowed"],
      ["seven_day", null, "allowed"],
    ]);
    const again = await logged(async () => {
      S.notePlanEvent(info("allowed", 0.6));
      S.notePlanEvent(info("rejected", 1));
      await S.planWritesDone();
    });
    expect(again).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "claude plan status",
        window: "five_hour",
        previous: "allowed",
        status: "rejected",
        utilization: 1,
        overage_status: "rejected",
        overage_disabled_reason: "org_level_disabled",
      }),
    ]);
    expect(query(file, `SELECT "window", status, utilization FROM ClaudePlan ORDER BY "window"`)).toEqual([
      { window: "five_hour", status: "rejected", utilization: 1 },
      { window: "plan", status: "subscription", utilization: null },
      { window: "seven_day", status: "allowed", utilization: 0.2 },
    ]);
    restart();
    const state = await S.planState();
    expect(state.plan).toBe("subscription");
    expect(state.windows.find((w) => w.window === "five_hour")).toMatchObject({ status: "rejected", utilization: 1 });
  });

  it("the guard refuses a Claude model (429 plan_limit_reached, Retry-After), never an Ollama one", async () => {
    const refused = await guardPlan(resolveTarget("sonnet")).catch((e) => e);
    expect(refused).toMatchObject({ status: 429, code: "plan_limit_reached", type: "rate_limit_error" });
    const retry = Number(refused.headers["retry-after"]);
    expect(retry).toBeGreaterThan(3_500);
    expect(retry).toBeLessThanOrEqual(3_600);
    expect(refused.message).toContain("5-hour window (five_hour)");
    await expect(guardPlan(resolveTarget("ollama/qwen3:8b"))).resolves.toBeUndefined();
    expect(S.refusalCounts().get("five_hour")).toBe(1);
  });

  it("an API-key login makes the plan `api_key` (the guard lets turns through); a later OAuth one `unknown`", async () => {
    await S.planState();
    S.noteLoginSource("ANTHROPIC_API_KEY");
    await S.planWritesDone();
    restart();
    expect((await S.planState()).plan).toBe("api_key");
    await expect(guardPlan(resolveTarget("sonnet"))).resolves.toBeUndefined();
    S.noteLoginSource("none");
    await S.planWritesDone();
    restart();
    expect((await S.planState()).plan).toBe("unknown");
    // The next event says it is a plan again.
    S.notePlanEvent(info("allowed", 0.1));
    await S.planWritesDone();
    restart();
    expect((await S.planState()).plan).toBe("subscription");
    await expect(guardPlan(resolveTarget("sonnet"))).resolves.toBeUndefined();
  });
});
