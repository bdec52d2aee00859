import { describe, expect, it } from "vitest";
import { budgetPeriod, DURATIONS } from "./limits";
import { SPEND_HOUR_MS, spendHour } from "./spend";
import type { KeyRecord } from "./store";

const key = (budgetDuration: string | null): KeyRecord => ({
  id: "key_x",
  name: "x",
  prefix: "ccb-xxxxxxxx",
  allowedModels: [],
  rpmLimit: null,
  tpmLimit: null,
  maxBudgetUsd: null,
  maxBudgetTokens: 100,
  budgetDuration,
  expiresAt: null,
  createdAt: new Date("2026-11-01T10:30:00Z"),
  updatedAt: new Date("2026-11-01T10:30:00Z"),
  revokedAt: null,
  agentLevel: null,
  workspace: null,
});

describe("budget periods", () => {
  it("run in steps of budget_duration from the key's creation", () => {
    const now = Date.parse("2026-11-03T09:00:00Z");
    expect(budgetPeriod(key("1d"), now)).toEqual({
      start: new Date("2026-11-02T10:30:00Z"),
      end: new Date("2026-11-03T10:30:00Z"),
    });
    expect(budgetPeriod(key("1h"), now).start).toEqual(new Date("2026-11-03T08:30:00Z"));
    expect(budgetPeriod(key("30d"), now).start).toEqual(new Date("2026-11-01T10:30:00Z"));
  });

  it("without a duration, the budget is for the key's whole life", () => {
    expect(budgetPeriod(key(null))).toEqual({ start: new Date("2026-11-01T10:30:00Z"), end: null });
  });

  it("start on whole hours of the key's life, so its spend ledger (hours) sums a period exactly", () => {
    for (const [name, len] of Object.entries(DURATIONS)) expect([name, len % SPEND_HOUR_MS]).toEqual([name, 0]);
    const k = key("7d");
    for (const d of Object.keys(DURATIONS)) {
      for (const now of [
        Date.parse("2026-11-01T10:30:00Z"),
        Date.parse("2026-11-20T00:00:00.001Z"),
        Date.parse("2027-03-09T17:45:12Z"),
      ]) {
        const { start } = budgetPeriod({ ...k, budgetDuration: d }, now);
        expect((start.getTime() - k.createdAt.getTime()) % SPEND_HOUR_MS).toBe(0);
        expect(spendHour(k, start) * SPEND_HOUR_MS).toBe(start.getTime() - k.createdAt.getTime());
      }
    }
  });
});
