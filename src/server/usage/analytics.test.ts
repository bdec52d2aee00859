import { beforeAll, describe, expect, it } from "vitest";
import { freshDb, insertRequests, query, randomRequests, type SeedRow } from "../../../tests/helpers/seed";

const M = 60_000;
const H = 3_600_000;
const D = 86_400_000;
/** Not on an hour: ranges ending here have partial hours at both edges. */
const NOW = Date.UTC(2026, 0, 10, 12, 30, 0);

let file: string;
let A: typeof import("./analytics");
let P: typeof import("./periods");
let L: typeof import("./latency");
let S: typeof import("./summary");

// The only rows of the last hour: a small set with known figures.
const known: SeedRow[] = [
  { id: "k1", at: NOW - 5 * M, promptTokens: 10, completionTokens: 20, durationMs: 100, ttftMs: 10 },
  { id: "k2", at: NOW - 10 * M, promptTokens: 30, completionTokens: 40, durationMs: 200, ttftMs: 20 },
  {
    id: "k3",
    at: NOW - 20 * M,
    status: "error",
    httpStatus: 503,
    errorCode: "down",
    errorMessage: "Ollama down",
    durationMs: 50,
  },
  {
    id: "k4",
    at: NOW - 50 * M,
    model: "sonnet",
    provider: "claude-code",
    promptTokens: 100,
    completionTokens: 50,
    cachedTokens: 40,
    costUsd: 0.25,
    durationMs: 1000,
    ttftMs: 300,
  },
  {
    id: "k5",
    at: NOW - 55 * M,
    model: "sonnet",
    provider: "claude-code",
    status: "cancelled",
    promptTokens: 5,
    durationMs: 700,
    ttftMs: 150,
  },
];

beforeAll(async () => {
  file = freshDb("analytics");
  insertRequests(file, [...known, ...randomRequests(4000, 7, NOW - 61 * M, 40)]);
  A = await import("./analytics");
  P = await import("./periods");
  L = await import("./latency");
  S = await import("./summary");
});

const lo = (r: { since: Date | null }) => r.since?.getTime() ?? -8.64e15;
const hi = (r: { until: Date | null }) => r.until?.getTime() ?? 8.64e15;

/** Nearest-rank percentile of raw values, straight from Request. */
function exactPercentile(range: { since: Date | null; until: Date | null }, kind: "duration" | "ttft", p: number) {
  const where = kind === "duration" ? "status IN ('ok', 'error')" : "ttftMs IS NOT NULL";
  const col = kind === "duration" ? "durationMs" : "ttftMs";
  const v = query<{ v: number }>(
    file,
    `SELECT ${col} AS v FROM Request WHERE createdAt >= ? AND createdAt < ? AND ${where} ORDER BY v`,
    lo(range),
    hi(range),
  ).map((r) => r.v);
  return v.length ? v[Math.ceil((v.length * p) / 100) - 1]! : null;
}

/** The summary computed the slow way, from every row. */
function reference(range: { since: Date | null; until: Date | null }) {
  const [t] = query<Record<string, number | null>>(
    file,
    `SELECT COUNT(*) AS requests, COALESCE(SUM(status = 'error'), 0) AS errors,
      COALESCE(SUM(status = 'cancelled'), 0) AS cancelled, COALESCE(SUM(promptTokens), 0) AS promptTokens,
      COALESCE(SUM(completionTokens), 0) AS completionTokens, COALESCE(SUM(totalTokens), 0) AS totalTokens,
      COALESCE(SUM(cachedTokens), 0) AS cachedTokens, SUM(costUsd) AS costUsd
    FROM Request WHERE createdAt >= ? AND createdAt < ?`,
    lo(range),
    hi(range),
  );
  return t!;
}

const ranges = () => ({
  "1h": A.rangeOf("1h", NOW),
  "24h": A.rangeOf("24h", NOW),
  "7d": A.rangeOf("7d", NOW),
  "30d": A.rangeOf("30d", NOW),
  all: A.rangeOf("all", NOW),
  odd: { since: new Date(NOW - 3 * D - 17 * M - 3_001), until: new Date(NOW - D + 7 * M + 11) },
  short: { since: new Date(NOW - 3 * H - 17 * M), until: new Date(NOW - 3 * H + 20 * M) },
});

describe("rangeOf", () => {
  it("maps the console's keys to open-ended ranges ending now", () => {
    expect(A.rangeOf("1h", NOW)).toEqual({ since: new Date(NOW - H), until: null });
    expect(A.rangeOf("24h", NOW)).toEqual({ since: new Date(NOW - D), until: null });
    expect(A.rangeOf("7d", NOW).since).toEqual(new Date(NOW - 7 * D));
    expect(A.rangeOf("30d", NOW).since).toEqual(new Date(NOW - 30 * D));
    expect(A.rangeOf("all", NOW)).toEqual({ since: null, until: null });
  });
});

describe("usageSummary", () => {
  it("gives exact figures for a small known set (last hour, across an hour boundary)", async () => {
    const s = await A.usageSummary(A.rangeOf("1h", NOW));
    expect(s).toEqual({
      requests: 5,
      errors: 1,
      cancelled: 1,
      errorRate: 0.2,
      promptTokens: 145,
      completionTokens: 110,
      totalTokens: 255,
      cachedTokens: 40,
      costUsd: 0.25,
      // ok + error durations 50, 100, 200, 1000: rank ceil(0.5·4) = 2 and ceil(0.95·4) = 4.
      p50LatencyMs: 100,
      p95LatencyMs: 1000,
      // TTFTs 10, 20, 150, 300 (the cancelled request's included).
      p50TtftMs: 20,
    });
  });

  it("is empty (null latencies) for a range without requests", async () => {
    const s = await A.usageSummary({ since: new Date(NOW + D), until: null });
    expect(s).toMatchObject({ requests: 0, errorRate: 0, costUsd: null, p50LatencyMs: null, p50TtftMs: null });
  });

  it("matches the totals and exact percentiles computed from every row, for every range", async () => {
    for (const [name, range] of Object.entries(ranges())) {
      const s = await A.usageSummary(range);
      const ref = reference(range);
      expect({ name, ...s, costUsd: null }).toMatchObject({ name, ...ref, costUsd: null });
      if (ref.costUsd === null) expect(s.costUsd).toBeNull();
      else expect(s.costUsd).toBeCloseTo(ref.costUsd!, 9);
      expect(s.errorRate).toBeCloseTo(ref.requests ? ref.errors! / ref.requests! : 0, 12);
      expect([name, s.p50LatencyMs, s.p95LatencyMs, s.p50TtftMs]).toEqual([
        name,
        exactPercentile(range, "duration", 50),
        exactPercentile(range, "duration", 95),
        exactPercentile(range, "ttft", 50),
      ]);
    }
  });

  it("reads percentiles from the histograms within a bin of the exact value", async () => {
    for (const [name, range] of Object.entries(ranges())) {
      const span = P.interval(range);
      const [{ n }] = query<{ n: number }>(
        file,
        "SELECT COUNT(*) AS n FROM Request WHERE createdAt >= ? AND createdAt < ? AND status IN ('ok','error')",
        ...span,
      ) as [{ n: number }];
      const got = await L.percentiles("duration", span, n, [50, 95, 99], "histogram");
      const want = [50, 95, 99].map((p) => {
        const v = exactPercentile(range, "duration", p);
        return v === null ? null : P.binValue(P.binOf(v));
      });
      expect([name, ...got]).toEqual([name, ...want]);
      for (const [i, p] of [50, 95, 99].entries()) {
        const exact = exactPercentile(range, "duration", p);
        if (exact !== null) expect(Math.abs(got[i]! - exact)).toBeLessThanOrEqual(Math.max(1, exact * 0.032));
      }
    }
  });
});

describe("usageByModel (GET /v1/usage)", () => {
  // The query it had before the rollups: its output must not change.
  const before = (since: number, until: number) =>
    query<Record<string, unknown> & { avg_duration_ms: unknown; cost_usd: number | null }>(
      file,
      `SELECT model, provider, COUNT(*) AS requests,
        SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors,
        SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
        SUM(promptTokens) AS prompt_tokens, SUM(completionTokens) AS completion_tokens,
        SUM(totalTokens) AS total_tokens, SUM(cachedTokens) AS cached_tokens,
        SUM(costUsd) AS cost_usd, AVG(durationMs) AS avg_duration_ms
      FROM Request WHERE createdAt >= ? AND createdAt < ?
      GROUP BY model, provider ORDER BY requests DESC, model ASC`,
      since,
      until,
    ).map((r) => ({ ...r, avg_duration_ms: Math.round(Number(r.avg_duration_ms)) }));

  it("gives what the raw GROUP BY gave, for aligned and unaligned ranges", async () => {
    for (const range of Object.values(ranges())) {
      const got = await S.usageByModel(range);
      const want = before(Math.max(0, lo(range)), Math.min(8.64e15, hi(range)));
      expect(got.map((r) => ({ ...r, cost_usd: null }))).toEqual(want.map((r) => ({ ...r, cost_usd: null })));
      for (const [i, r] of got.entries()) {
        const c = want[i]!.cost_usd;
        if (c === null) expect(r.cost_usd).toBeNull();
        else expect(r.cost_usd).toBeCloseTo(c, 9);
      }
    }
  });
});

describe("usageTimeSeries", () => {
  const cases: Array<[string, () => { since: Date | null; until: Date | null }, number]> = [
    ["1h", () => ({ since: new Date(NOW - H), until: new Date(NOW) }), 2 * M],
    ["24h", () => ({ since: new Date(NOW - D), until: new Date(NOW) }), H],
    ["7d", () => ({ since: new Date(NOW - 7 * D), until: new Date(NOW) }), 6 * H],
    ["30d", () => ({ since: new Date(NOW - 30 * D), until: new Date(NOW) }), D],
    ["all", () => A.rangeOf("all", NOW), D],
  ];

  it.each(cases)("%s: buckets on the expected step hold exactly their rows", async (_name, range, step) => {
    const r = range();
    const points = await A.usageTimeSeries(r);
    const want = query<Record<string, number | string>>(
      file,
      `SELECT createdAt - createdAt % ? AS t, provider, COUNT(*) AS requests, SUM(status = 'error') AS errors,
        SUM(totalTokens) AS totalTokens, SUM(CASE WHEN status IN ('ok','error') THEN durationMs END) AS lat,
        SUM(status IN ('ok','error')) AS latN, SUM(durationMs) AS dur, SUM(ttftMs) AS ttft, COUNT(ttftMs) AS ttftN
      FROM Request WHERE createdAt >= ? AND createdAt < ? GROUP BY 1, 2 ORDER BY 1, 2`,
      step,
      lo(r),
      hi(r),
    ).map((w) => ({
      t: Number(w.t),
      provider: String(w.provider),
      requests: Number(w.requests),
      errors: Number(w.errors),
      totalTokens: Number(w.totalTokens),
      avgLatencyMs: Math.round(Number(w.latN) ? Number(w.lat) / Number(w.latN) : Number(w.dur) / Number(w.requests)),
      avgTtftMs: Number(w.ttftN) ? Math.round(Number(w.ttft) / Number(w.ttftN)) : null,
    }));
    expect(points).toEqual(want);
    expect(points.length).toBeGreaterThan(0);
    const ts = [...new Set(points.map((p) => p.t))];
    expect(ts.length).toBeLessThanOrEqual(48);
    for (const t of ts) expect(t % step).toBe(0);
  });

  it("picks a step from the span", () => {
    expect([H, D, 7 * D, 30 * D, 365 * D].map((s) => P.pickStep(s, 48))).toEqual([2 * M, H, 6 * H, D, 8 * D]);
    expect(P.pickStep(12 * H, 48)).toBe(15 * M);
    expect(P.pickStep(5 * 365 * D, 48)).toBe(39 * D);
  });

  it("is empty when there is nothing in the range", async () => {
    expect(await A.usageTimeSeries({ since: new Date(NOW + D), until: new Date(NOW + 2 * D) })).toEqual([]);
  });
});

describe("latestErrors and filterOptions", () => {
  it("lists the newest errors first (not cancelled ones), limited, within a range", async () => {
    const errs = await A.latestErrors(3, A.rangeOf("24h", NOW));
    const want = query<{ id: string }>(
      file,
      "SELECT id FROM Request WHERE status = 'error' AND createdAt >= ? ORDER BY createdAt DESC, id DESC LIMIT 3",
      NOW - D,
    );
    expect(errs.map((e) => e.id)).toEqual(want.map((w) => w.id));
    expect(errs[0]).toEqual({
      id: "k3",
      createdAt: new Date(NOW - 20 * M),
      model: "ollama/qwen3:8b",
      provider: "ollama",
      httpStatus: 503,
      errorType: "api_error",
      errorCode: "down",
      errorMessage: "Ollama down",
      endpoint: "/v1/chat/completions",
    });
    expect((await A.latestErrors(5, A.rangeOf("1h", NOW))).map((e) => e.id)).toEqual(["k3"]);
    expect(await A.latestErrors()).toHaveLength(10);
  });

  it("lists the distinct models, providers and upstream hosts, sorted, without empty names", async () => {
    expect(await A.filterOptions()).toEqual({
      models: ["ollama/llama3.2:3b", "ollama/qwen3:8b", "opus", "sonnet"],
      providers: ["claude-code", "ollama"],
      hosts: [],
      tools: [],
    });
  });
});
