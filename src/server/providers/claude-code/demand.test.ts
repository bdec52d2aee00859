import { describe, expect, it } from "vitest";
import { Demand, Ewma, erlangB, serversFor } from "./demand";

describe("Erlang B", () => {
  it("matches the textbook values", () => {
    expect(erlangB(0, 1)).toBe(1);
    expect(erlangB(1, 1)).toBeCloseTo(0.5);
    expect(erlangB(2, 1)).toBeCloseTo(0.2);
    expect(erlangB(5, 2)).toBeCloseTo(0.0367, 3);
  });

  it("gives the fewest processes with at most one request in ten finding none", () => {
    expect(serversFor(0)).toBe(0);
    expect(serversFor(0.05)).toBe(1);
    expect(serversFor(0.4)).toBe(2);
    expect(serversFor(2)).toBe(4);
    expect(erlangB(serversFor(7.3), 7.3)).toBeLessThanOrEqual(0.1);
    expect(erlangB(serversFor(7.3) - 1, 7.3)).toBeGreaterThan(0.1);
  });
});

describe("Demand", () => {
  it("follows a steady rate and forgets it past the horizon", () => {
    const d = new Demand(10_000);
    // Two requests a second for 20 s, each holding its process 400 ms: a load of 0.8 → 3 processes.
    let t = 0;
    for (; t < 20_000; t += 500) {
      d.arrive(t);
      d.release(t + 400, 400);
    }
    expect(d.rate(t)).toBeGreaterThan(1.5);
    expect(d.rate(t)).toBeLessThan(2.1);
    expect(d.wanted(t)).toBe(serversFor(d.rate(t) * 0.4));
    expect(d.wanted(t)).toBeGreaterThanOrEqual(2);
    // A minute of nothing: no demand left.
    expect(d.wanted(t + 60_000)).toBe(0);
  });

  it("remembers a burst's peak for the horizon", () => {
    const d = new Demand(5_000);
    for (let i = 0; i < 4; i++) d.arrive(1_000);
    expect(d.wanted(1_000)).toBe(4);
    for (let i = 0; i < 4; i++) d.release(1_200, 200);
    expect(d.wanted(3_000)).toBe(4);
    expect(d.wanted(7_000)).toBeLessThan(2);
  });

  it("estimates start with their first sample", () => {
    const e = new Ewma(Number.POSITIVE_INFINITY);
    expect(e.value).toBe(Number.POSITIVE_INFINITY);
    e.add(100);
    expect(e.value).toBe(100);
    e.add(200);
    expect(e.value).toBeCloseTo(130);
  });
});
