import { describe, expect, it } from "vitest";
import { fmtCost, fmtInt, fmtMs, fmtPct } from "./format";

describe("console formatting", () => {
  it("fmtMs rounds once, so no unit boundary shows 60", () => {
    expect(fmtMs(null)).toBe("–");
    expect(fmtMs(0)).toBe("0 ms");
    expect(fmtMs(999.4)).toBe("999 ms");
    expect(fmtMs(999.6)).toBe("1.00 s");
    expect(fmtMs(2345)).toBe("2.35 s");
    expect(fmtMs(9_996)).toBe("10.0 s");
    expect(fmtMs(59_940)).toBe("59.9 s");
    expect(fmtMs(59_960)).toBe("1m 0s");
    expect(fmtMs(119_600)).toBe("2m 0s");
    expect(fmtMs(125_000)).toBe("2m 5s");
    expect(fmtMs(3_599_600)).toBe("1h 0m");
    expect(fmtMs(3_900_000)).toBe("1h 5m");
  });

  it("fmtCost has thousands separators and tells no cost (–) from zero cost ($0)", () => {
    expect(fmtCost(null)).toBe("–");
    expect(fmtCost(undefined)).toBe("–");
    expect(fmtCost(0)).toBe("$0");
    expect(fmtCost(0.0042)).toBe("$0.0042");
    expect(fmtCost(0.75)).toBe("$0.75");
    expect(fmtCost(1234.567)).toBe("$1,234.57");
    expect(fmtCost(1_000_000)).toBe("$1,000,000.00");
  });

  it("fmtInt and fmtPct", () => {
    expect(fmtInt(1234567.4)).toBe("1,234,567");
    expect(fmtInt(null)).toBe("–");
    expect(fmtPct(0.1667)).toBe("16.7%");
    expect(fmtPct(0.05)).toBe("5.00%");
  });
});
