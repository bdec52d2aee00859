import { describe, expect, it } from "vitest";
import { ApiError } from "../openai/errors";
import { parseCreate, parseUpdate } from "./key-input";

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return (e as ApiError).toBody().error;
  }
  throw new Error("not refused");
};

describe("key fields", () => {
  it("takes the admin API's names and maps them", () => {
    expect(
      parseCreate({
        name: " bot ",
        allowed_models: ["ollama/*", "ollama/*", "claude-code"],
        rpm_limit: 10,
        tpm_limit: 1000,
        max_budget_usd: 2.5,
        max_budget_tokens: 50_000,
        budget_duration: "7d",
        expires_at: "2030-01-01T00:00:00Z",
      }),
    ).toEqual({
      name: "bot",
      allowedModels: ["ollama/*", "claude-code"],
      rpmLimit: 10,
      tpmLimit: 1000,
      maxBudgetUsd: 2.5,
      maxBudgetTokens: 50_000,
      budgetDuration: "7d",
      expiresAt: new Date("2030-01-01T00:00:00Z"),
    });
    expect(parseCreate({ name: "x", models: ["a"] }).allowedModels).toEqual(["a"]);
    expect(parseCreate({ name: "x", expires_at: 1_900_000_000 }).expiresAt).toEqual(new Date(1_900_000_000_000));
  });

  it("edits any subset; null clears", () => {
    expect(parseUpdate({ rpm_limit: null })).toEqual({ rpmLimit: null });
    expect(parseUpdate({})).toEqual({});
  });

  it("refuses what it does not know or cannot hold, naming the field", () => {
    expect(refused(() => parseCreate({})).param).toBe("name");
    expect(refused(() => parseCreate({ name: "x", rpm_limit: 0 })).param).toBe("rpm_limit");
    expect(refused(() => parseCreate({ name: "x", rpm_limit: 1.5 })).param).toBe("rpm_limit");
    expect(refused(() => parseCreate({ name: "x", budget_duration: "1w" })).param).toBe("budget_duration");
    expect(refused(() => parseCreate({ name: "x", expires_at: "tomorrow" })).param).toBe("expires_at");
    expect(refused(() => parseCreate({ name: "x", rpm: 3 })).message).toMatch(/unknown field.*rpm/);
    expect(refused(() => parseCreate([])).code).toBe("invalid_body");
    expect(refused(() => parseUpdate({ name: "" })).param).toBe("name");
  });
});
