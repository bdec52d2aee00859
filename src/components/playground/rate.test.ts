import { describe, expect, it } from "vitest";
import { tokensPerSecond } from "./rate";

describe("playground tokens/s", () => {
  it("uses the generation time when it is long enough", () => {
    expect(tokensPerSecond({ completionTokens: 100, ttftMs: 500, durationMs: 2500 })).toBeCloseTo(50);
  });
  it("falls back to the whole duration when the reply came in one burst", () => {
    // 20 tokens, all in the last 1.5 ms: not 13,333 tok/s
    expect(tokensPerSecond({ completionTokens: 20, ttftMs: 998.5, durationMs: 1000 })).toBeCloseTo(20);
  });
  it("is null when even the whole duration is too short, or there are no tokens", () => {
    expect(tokensPerSecond({ completionTokens: 20, ttftMs: 10, durationMs: 12 })).toBeNull();
    expect(tokensPerSecond({ completionTokens: 0, ttftMs: 100, durationMs: 900 })).toBeNull();
    expect(tokensPerSecond({ completionTokens: null, ttftMs: 100, durationMs: 900 })).toBeNull();
  });
  it("uses the whole duration when there was no first token", () => {
    expect(tokensPerSecond({ completionTokens: 10, ttftMs: null, durationMs: 2000 })).toBeCloseTo(5);
  });
});
