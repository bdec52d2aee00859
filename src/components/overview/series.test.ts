import { describe, expect, it } from "vitest";
import { axisTicks, NO_PROVIDER, pivot } from "./series";

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

  it("requests without a provider are a named series, never a nameless one (a legend swatch with no label)", () => {
    const refused = {
      ...s,
      points: [...s.points, { t: base + H, provider: "", v: 5 }, { t: base + 3 * H, provider: "", v: 2 }],
    };
    const { rows, providers } = pivot(refused, (p) => p.v, true);
    expect(NO_PROVIDER).toBe("unknown");
    expect(providers).toEqual(["claude-code", "ollama", "unknown"]);
    expect(rows.every((r) => !("" in r))).toBe(true);
    expect(rows[2]).toEqual({ t: base + H, "claude-code": 1, ollama: 3, unknown: 5 });
    expect(rows[4]).toEqual({ t: base + 3 * H, "claude-code": 0, ollama: 0, unknown: 2 });
  });

  it("leaves out a series with nothing to draw (refused requests have no tokens)", () => {
    const tokens = { ...s, points: [...s.points, { t: base + H, provider: "", v: 0 }] };
    const bars = pivot(tokens, (p) => p.v, true);
    expect(bars.providers).toEqual(["claude-code", "ollama"]);
    expect(bars.rows.every((r) => !("unknown" in r) && !("" in r))).toBe(true);
    const lines = pivot(
      { ...s, points: [{ t: base, provider: "ollama", v: null as number | null }] },
      (p) => p.v,
      false,
    );
    expect(lines.providers).toEqual([]);
    expect(lines.rows.every((r) => Object.keys(r).join() === "t")).toBe(true);
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
