import { describe, expect, it } from "vitest";
import { FailureThrottle } from "./throttle";

describe("FailureThrottle", () => {
  it("lets 5 failures through, then doubles the wait (1 s, 2 s, 4 s …) up to the cap", () => {
    const t = new FailureThrottle(5, 60_000, 900_000);
    let now = 1_000_000;
    for (let i = 0; i < 4; i++) {
      t.fail("a", now);
      expect(t.waitMs("a", now)).toBe(0);
    }
    t.fail("a", now);
    expect(t.waitMs("a", now)).toBe(1000);
    expect(t.waitMs("a", now + 999)).toBe(1);
    now += 1000;
    t.fail("a", now);
    expect(t.waitMs("a", now)).toBe(2000);
    for (let i = 0; i < 20; i++) t.fail("a", now);
    expect(t.waitMs("a", now)).toBe(60_000);
    expect(t.waitMs("b", now)).toBe(0); // per client
  });

  it("forgets a client after a quiet period, and on a success", () => {
    const t = new FailureThrottle(1, 60_000, 10_000);
    t.fail("a", 0);
    expect(t.waitMs("a", 0)).toBe(1000);
    expect(t.waitMs("a", 10_001)).toBe(0);
    t.fail("b", 0);
    t.succeed("b");
    expect(t.waitMs("b", 0)).toBe(0);
  });
});
