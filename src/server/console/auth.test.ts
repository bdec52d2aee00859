import { describe, expect, it } from "vitest";
import { CONSOLE_LOGIN_MS, consoleToken, safeNextPath, verifyConsoleToken } from "./auth";

const NOW = 1_800_000_000_000;

describe("console login cookie", () => {
  it("a fresh token is valid for its key until it expires", () => {
    const t = consoleToken("k1", NOW);
    expect(verifyConsoleToken(t, "k1", NOW)).toBe(true);
    expect(verifyConsoleToken(t, "k1", NOW + CONSOLE_LOGIN_MS - 1)).toBe(true);
    expect(t).not.toContain("k1");
  });

  it("an expired token is refused", () => {
    const t = consoleToken("k1", NOW);
    expect(verifyConsoleToken(t, "k1", NOW + CONSOLE_LOGIN_MS)).toBe(false);
    expect(verifyConsoleToken(consoleToken("k1", NOW, 1000), "k1", NOW + 1000)).toBe(false);
  });

  it("two logins give different values (issued-at inside)", () => {
    expect(consoleToken("k1", NOW)).not.toBe(consoleToken("k1", NOW + 1));
  });

  it("a tampered token is refused (expiry pushed out, signature changed, garbage)", () => {
    const t = consoleToken("k1", NOW);
    const [v, iat, exp, mac] = t.split(".");
    expect(verifyConsoleToken(`${v}.${iat}.${Number(exp) + 1e9}.${mac}`, "k1", NOW)).toBe(false);
    expect(verifyConsoleToken(`${v}.${Number(iat) + 1}.${exp}.${mac}`, "k1", NOW)).toBe(false);
    const flipped = `${mac?.slice(0, -1)}${mac?.endsWith("A") ? "B" : "A"}`;
    expect(verifyConsoleToken(`${v}.${iat}.${exp}.${flipped}`, "k1", NOW)).toBe(false);
    expect(verifyConsoleToken("", "k1", NOW)).toBe(false);
    expect(verifyConsoleToken("not-a-token", "k1", NOW)).toBe(false);
    expect(verifyConsoleToken(`${t}x`, "k1", NOW)).toBe(false);
  });

  it("a token lasting longer than a login may (signed by someone with the key) is refused", () => {
    expect(verifyConsoleToken(consoleToken("k1", NOW, 10 * CONSOLE_LOGIN_MS), "k1", NOW + 1)).toBe(false);
  });

  it("a token signed with another key is refused", () => {
    expect(verifyConsoleToken(consoleToken("k2", NOW), "k1", NOW)).toBe(false);
  });
});

describe("where a login goes next", () => {
  it("follows console paths only", () => {
    expect(safeNextPath("/dashboard")).toBe("/dashboard");
    expect(safeNextPath("/dashboard/requests?model=sonnet")).toBe("/dashboard/requests?model=sonnet");
    expect(safeNextPath("/dashboard/sessions/a%20b")).toBe("/dashboard/sessions/a%20b");
  });
  it("never an absolute URL, another path or a trick", () => {
    for (const bad of [
      "https://evil.example/dashboard",
      "//evil.example/dashboard",
      "/\\evil.example",
      "/dashboard//evil.example",
      "/dashboard\\..\\x",
      "/dashboardx",
      "/api/trpc",
      "/login",
      "javascript:alert(1)",
      "",
      null,
      42,
    ]) {
      expect(safeNextPath(bad)).toBe("/dashboard");
    }
  });
});
