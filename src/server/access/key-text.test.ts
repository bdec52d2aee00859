import { describe, expect, it } from "vitest";
import { hashKey, modelAllowed, modelMatches, newKeyText, secretsEqual, visiblePrefix } from "./key-text";

describe("key text", () => {
  it("is ccb- and at least 32 URL-safe random characters, different every time", () => {
    const keys = new Set(Array.from({ length: 200 }, newKeyText));
    expect(keys.size).toBe(200);
    for (const k of keys) expect(k).toMatch(/^ccb-[A-Za-z0-9_-]{32,}$/);
  });

  it("is stored as a SHA-256 and shown by a short prefix", () => {
    const k = newKeyText();
    expect(hashKey(k)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKey(k)).not.toContain(k.slice(4, 12));
    expect(visiblePrefix(k)).toBe(k.slice(0, 12));
  });

  it("compares secrets of any length without throwing", () => {
    expect(secretsEqual("abc", "abc")).toBe(true);
    expect(secretsEqual("abc", "abcd")).toBe(false);
    expect(secretsEqual("", "x")).toBe(false);
  });
});

describe("model patterns", () => {
  it("matches exact names and * globs, nothing else", () => {
    expect(modelMatches("claude-code", "claude-code")).toBe(true);
    expect(modelMatches("claude-code", "claude-code2")).toBe(false);
    expect(modelMatches("ollama/*", "ollama/qwen3:8b")).toBe(true);
    expect(modelMatches("ollama/*", "claude-code")).toBe(false);
    expect(modelMatches("ollama/qwen3*", "ollama/qwen3:8b")).toBe(true);
    expect(modelMatches("ollama/qwen3*", "ollama/llama3")).toBe(false);
    // regex characters in a pattern are literal
    expect(modelMatches("a.b", "axb")).toBe(false);
    expect(modelMatches("(x)+*", "(x)+y")).toBe(true);
    expect(modelMatches("*", "anything\nat all")).toBe(true);
  });

  it("agrees with a regular expression on random names and patterns, overlaps and repeats included", () => {
    const alphabet = ["a", "b", ":", "*"];
    const pick = (n: number, chars: string[]) =>
      Array.from({ length: n }, () => chars[Math.floor(Math.random() * chars.length)]).join("");
    const reference = (pattern: string, model: string) =>
      new RegExp(
        `^${pattern
          .split("*")
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*")}$`,
        "s",
      ).test(model);
    for (let i = 0; i < 5_000; i++) {
      const pattern = pick(1 + Math.floor(Math.random() * 6), alphabet);
      const model = pick(Math.floor(Math.random() * 9), ["a", "b", ":"]);
      expect([pattern, model, modelMatches(pattern, model)]).toEqual([pattern, model, reference(pattern, model)]);
    }
    expect(modelMatches("a*a", "a")).toBe(false);
    expect(modelMatches("ab*ba", "aba")).toBe(false);
    expect(modelMatches("ab*ba", "abba")).toBe(true);
  });

  it("answers a 100,000-character name against patterns a regular expression backtracks on", () => {
    const name = `ollama/${":".repeat(100_000)}`;
    expect(modelMatches("ollama/*:*b", name)).toBe(false);
    expect(modelMatches("*:*:*:*b", name)).toBe(false);
    expect(modelMatches("ollama/*:*:", name)).toBe(true);
  });

  it("an empty allow-list allows every model", () => {
    expect(modelAllowed([], "opus")).toBe(true);
    expect(modelAllowed(["sonnet"], "opus")).toBe(false);
    expect(modelAllowed(["sonnet", "op*"], "opus")).toBe(true);
  });
});
