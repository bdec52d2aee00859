import { describe, expect, it } from "vitest";
import { axisTicks, pivot } from "./series";

const H = 3_600_000;
const base = Date.UTC(2026, 0, 10, 0, 0, 0);

describe("chart series placement", () => {
  const s = {
    step: H,
    from: base - 30 * 60_000,
    to: base + 5 * H + 10 * 60_000,
    points: [
      { t: base + H, provider: "ollama", v: 3 },
      { t: base + H, provider: "claude-code", v: 1 },
      { t: base + 4 * H, provider: "ollama", v: 2 },
    ],
  };

  it("has a row for every bucket of the range; counts are 0 where a provider had none", () => {
    const { rows, providers } = pivot(s, (p) => p.v, true);
    expect(providers).toEqual(["claude-code", "ollama"]);
    expect(rows.map((r) => r.t)).toEqual([-1, 0, 1, 2, 3, 4, 5].map((i) => base + i * H));
    expect(rows[2]).toEqual({ t: base + H, "claude-code": 1, ollama: 3 });
    expect(rows[3]).toEqual({ t: base + 2 * H, "claude-code": 0, ollama: 0 });
  });

  it("latency has gaps (null), not zeros, where there was no request", () => {
    const { rows } = pivot(s, (p) => p.v, false);
    expect(rows[3]).toEqual({ t: base + 2 * H, "claude-code": null, ollama: null });
    expect(rows[5]?.ollama).toBe(2);
  });

  it("the x domain is the range, not the first to the last point, with round ticks", () => {
    const x = axisTicks(s);
    expect(x.domain).toEqual([s.from, s.to]);
    expect(x.ticks.length).toBeGreaterThanOrEqual(3);
    expect(x.ticks.length).toBeLessThanOrEqual(7);
    for (const t of x.ticks) {
      expect(t).toBeGreaterThanOrEqual(s.from);
      expect(t).toBeLessThanOrEqual(s.to);
      expect(new Date(t).getMinutes()).toBe(0);
    }
  });
});
