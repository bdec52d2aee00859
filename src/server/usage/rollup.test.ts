import { beforeAll, describe, expect, it } from "vitest";
import { exec, freshDb, insertRequests, query, randomRequests } from "../../../tests/helpers/seed";

const M = 60_000;
const H = 3_600_000;
const NOW = Date.UTC(2026, 0, 10, 12, 30, 0);

let file: string;
let A: typeof import("./analytics");
let P: typeof import("./periods");

beforeAll(async () => {
  file = freshDb("rollup");
  insertRequests(file, randomRequests(3000, 3, NOW, 20));
  A = await import("./analytics");
  P = await import("./periods");
});

describe("rollup triggers", () => {
  it("exist, with the key-spend ones (a migration that rebuilds Request must re-create them)", () => {
    const names = query<{ name: string }>(file, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name");
    expect(names.map((n) => n.name)).toEqual([
      "Request_rollup_delete",
      "Request_rollup_insert",
      "Request_rollup_update",
      "Request_spend_insert",
      "Request_spend_update",
    ]);
  });

  it("keep the rollups exact through deletes, updates and inserts through Prisma", async () => {
    const before = query<{ n: number }>(file, "SELECT COUNT(*) AS n FROM Request")[0]!.n;
    exec(file, "DELETE FROM Request WHERE id IN ('r1', 'r2', 'r3', 'bad0')");
    exec(file, "UPDATE Request SET status = 'error', durationMs = durationMs + 5, ttftMs = NULL WHERE id LIKE 'r1%'");
    exec(file, "UPDATE Request SET createdAt = createdAt - 86400000, costUsd = NULL WHERE id LIKE 'r2%'");
    const { insertRequest } = await import("./store");
    await insertRequest({
      id: "prisma1",
      createdAt: new Date(NOW - 2 * M),
      model: "haiku",
      provider: "claude-code",
      upstreamModel: null,
      stream: true,
      sessionId: null,
      status: "ok",
      httpStatus: 200,
      errorType: null,
      errorCode: null,
      errorMessage: null,
      finishReason: "stop",
      promptTokens: 7,
      completionTokens: 3,
      totalTokens: 10,
      cachedTokens: 0,
      costUsd: 0.5,
      durationMs: 321,
      ttftMs: 12,
      userAgent: null,
      clientAddress: null,
    });
    const hourly = query(
      file,
      `SELECT hour, provider, model, requests, errors, cancelled, promptTokens, completionTokens, totalTokens,
        cachedTokens, ROUND(costUsd, 9) AS costUsd, costCount, durationMs, latencyCount, latencyMs, ttftCount, ttftMs
      FROM UsageHourly ORDER BY 1, 2, 3`,
    );
    const recomputed = query(
      file,
      `SELECT createdAt - createdAt % 3600000 AS hour, provider, model, COUNT(*) AS requests,
        SUM(status = 'error') AS errors, SUM(status = 'cancelled') AS cancelled, SUM(promptTokens) AS promptTokens,
        SUM(completionTokens) AS completionTokens, SUM(totalTokens) AS totalTokens, SUM(cachedTokens) AS cachedTokens,
        ROUND(SUM(costUsd), 9) AS costUsd, COUNT(costUsd) AS costCount, SUM(durationMs) AS durationMs,
        SUM(status IN ('ok', 'error')) AS latencyCount,
        SUM(CASE WHEN status IN ('ok', 'error') THEN durationMs ELSE 0 END) AS latencyMs,
        COUNT(ttftMs) AS ttftCount, COALESCE(SUM(ttftMs), 0) AS ttftMs
      FROM Request GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect(hourly).toEqual(recomputed);
    // The histograms hold every value in the bin periods.ts binOf() gives it, per hour and per day.
    const hist = query(file, "SELECT kind, span, start, bin, count FROM LatencyHistogram ORDER BY 1, 2, 3, 4");
    const counts = new Map<string, number>();
    for (const r of query<{ at: number; status: string; durationMs: number; ttftMs: number | null }>(
      file,
      "SELECT createdAt AS at, status, durationMs, ttftMs FROM Request",
    )) {
      const values: Array<[number, number | null]> = [
        [0, r.status === "ok" || r.status === "error" ? r.durationMs : null],
        [1, r.ttftMs],
      ];
      for (const [kind, v] of values) {
        if (v === null) continue;
        for (const span of [1, 24]) {
          const key = `${kind},${span},${r.at - (r.at % (span * H))},${P.binOf(v)}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
    }
    const want = [...counts.entries()]
      .map(([k, count]) => {
        const [kind, span, start, bin] = k.split(",").map(Number) as [number, number, number, number];
        return { kind, span, start, bin, count };
      })
      .sort((a, b) => a.kind - b.kind || a.span - b.span || a.start - b.start || a.bin - b.bin);
    expect(hist).toEqual(want);
    const s = await A.usageSummary(A.rangeOf("all", NOW));
    expect(s.requests).toBe(before - 4 + 1);
    expect(s.costUsd).toBeCloseTo(query<{ c: number }>(file, "SELECT SUM(costUsd) AS c FROM Request")[0]!.c, 9);
  });
});

describe("latency bins", () => {
  it("bound every value and stay within 3.2% of it", () => {
    for (let v = 0; v < 700_000; v += v < 200 ? 1 : 97) {
      const bin = P.binOf(v);
      const [a, b] = P.binBounds(bin);
      expect(v >= a && v < b).toBe(true);
      expect(Math.abs(P.binValue(bin) - v)).toBeLessThanOrEqual(Math.max(0.5, v * 0.032));
    }
  });
});
