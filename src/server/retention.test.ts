// Retention on SQLite (src/server/usage/postgres.test.ts runs the same pass on PostgreSQL): old records,
// contents, stored responses and sessions go in batches; the rollups keep their totals.
import { beforeAll, describe, expect, it } from "vitest";
import { exec, freshDb, insertRequests, query } from "../../tests/helpers/seed";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
let file: string;
let R: typeof import("./retention");

beforeAll(async () => {
  file = freshDb("retention");
  process.env.RETENTION_DAYS = "30";
  // 2,500 requests 40 days old (more than two batches), 10 of 10 days, 10 of today; each with content.
  const rows = [
    ...Array.from({ length: 2_500 }, (_, i) => ({ id: `old${i}`, at: NOW - 40 * DAY + i, durationMs: 100 + (i % 50) })),
    ...Array.from({ length: 10 }, (_, i) => ({ id: `mid${i}`, at: NOW - 10 * DAY + i, durationMs: 200 })),
    ...Array.from({ length: 10 }, (_, i) => ({ id: `new${i}`, at: NOW - 1_000 + i, durationMs: 300 })),
  ];
  insertRequests(file, rows);
  exec(file, `INSERT INTO RequestContent (requestId, prompt, answer) SELECT id, 'p', 'a' FROM Request`);
  // Two steps each (issue 25): a model call, and a tool call with an input summary and a path.
  exec(
    file,
    `INSERT INTO RequestStep (requestId, seq, kind, tool, summary, outcome, path, startedAt)
     SELECT id, 1, 'model', NULL, NULL, NULL, NULL, createdAt FROM Request UNION ALL
     SELECT id, 2, 'tool', 'Write', 'notes.txt', 'ok', '/w/notes.txt', createdAt FROM Request`,
  );
  exec(
    file,
    `INSERT INTO Session (id, provider, model, upstreamSessionId, createdAt, lastUsedAt) VALUES ('s-old', 'claude-code', 'm', 'c-old', ?, ?), ('s-new', 'claude-code', 'm', 'c-new', ?, ?)`,
    NOW - 50 * DAY,
    NOW - 45 * DAY,
    NOW - DAY,
    NOW - 1_000,
  );
  exec(
    file,
    `INSERT INTO SessionMessage (sessionId, turn, role, content, createdAt) VALUES ('s-old', 1, 'user', '{}', ?), ('s-new', 1, 'user', '{}', ?)`,
    NOW - 45 * DAY,
    NOW - 1_000,
  );
  // Claude Code's transcripts: the old session's (3 entries), the new one's (2), one no session names
  // any more, idle as long as the old session (2), and one as recent (1).
  const entry = (sessionId: string, n: number, at: number) =>
    Array.from({ length: n }, (_, i) =>
      exec(
        file,
        `INSERT INTO TranscriptEntry (sessionId, subpath, uuid, entry, createdAt) VALUES (?, '', ?, '{"type":"user"}', ?)`,
        sessionId,
        `${sessionId}-${i}`,
        at,
      ),
    );
  entry("c-old", 3, NOW - 45 * DAY);
  entry("c-new", 2, NOW - 1_000);
  entry("c-orphan-old", 2, NOW - 40 * DAY);
  entry("c-orphan-new", 1, NOW - 2 * DAY);
  exec(
    file,
    `INSERT INTO StoredResponse (id, requestId, model, createdAt, body) VALUES ('resp_old', 'old1', 'm', ?, '{}'), ('resp_new', 'new1', 'm', ?, '{}')`,
    NOW - 40 * DAY,
    NOW - 1_000,
  );
  R = await import("./retention");
});

const totals = () =>
  query<{ r: number; t: number; h: number }>(
    file,
    `SELECT (SELECT SUM(requests) FROM UsageHourly) AS r, (SELECT SUM(totalTokens) FROM UsageHourly) AS t,
      (SELECT SUM(count) FROM LatencyHistogram) AS h`,
  )[0]!;

describe("retention", () => {
  it("drops contents older than STORE_CONTENT_DAYS, keeping the records", async () => {
    const res = await R.pruneOnce(NOW, { retention: 0, content: 5 });
    expect(res).toEqual({ requests: 0, contents: 2_510, steps: 2_510, responses: 0, sessions: 0, transcripts: 0 });
    expect(query(file, "SELECT COUNT(*) AS n FROM Request")[0]).toEqual({ n: 2_520 });
    // The steps stay, their input summaries and paths gone from the old ones only.
    expect(query(file, "SELECT COUNT(*) AS n FROM RequestStep")[0]).toEqual({ n: 5_040 });
    expect(
      query(file, "SELECT COUNT(*) AS n FROM RequestStep WHERE summary IS NOT NULL OR path IS NOT NULL")[0],
    ).toEqual({
      n: 10,
    });
    expect(query(file, "SELECT requestId FROM RequestContent ORDER BY requestId").length).toBe(10);
  });

  it("deletes records older than RETENTION_DAYS in batches; the rollups keep the totals", async () => {
    const before = totals();
    const res = await R.pruneOnce(NOW, { retention: 30, content: 5 });
    expect(res).toEqual({ requests: 2_500, contents: 0, steps: 0, responses: 1, sessions: 1, transcripts: 5 });
    expect(query(file, "SELECT COUNT(*) AS n FROM Request")[0]).toEqual({ n: 20 });
    expect(query(file, "SELECT COUNT(*) AS n FROM RequestStep")[0]).toEqual({ n: 40 });
    expect(query(file, "SELECT id FROM Session")).toEqual([{ id: "s-new" }]);
    expect(query(file, "SELECT sessionId FROM SessionMessage")).toEqual([{ sessionId: "s-new" }]);
    expect(query(file, "SELECT id FROM StoredResponse")).toEqual([{ id: "resp_new" }]);
    expect(query(file, "SELECT DISTINCT sessionId FROM TranscriptEntry ORDER BY sessionId")).toEqual([
      { sessionId: "c-new" },
      { sessionId: "c-orphan-new" },
    ]);
    expect(totals()).toEqual(before);
    // The flag is down again: an ordinary delete still updates the rollups.
    exec(file, "DELETE FROM Request WHERE id = 'new0'");
    expect(totals().r).toBe(before.r - 1);
    const [m] = query<Record<string, unknown>>(file, "SELECT * FROM Maintenance");
    expect(m).toMatchObject({ job: "retention", pruning: 0, lastRunAt: NOW, lastRequests: 2_500, lastContents: 0 });
  });

  it("is shown by retentionStatus (as /health does)", async () => {
    const s = await R.retentionStatus();
    expect(s).toMatchObject({ last_run_at: new Date(NOW).toISOString(), last_deleted_requests: 2_500 });
  });

  it("the console's percentiles of a pruned period come from the histograms (the rows are gone)", async () => {
    const { usageSummary } = await import("./usage/analytics");
    const s = await usageSummary({ since: new Date(NOW - 41 * DAY), until: new Date(NOW - 39 * DAY) });
    expect(s.requests).toBe(2_500);
    // durations 100…149, 50 each: the exact p50 is 124; the histogram answers its bin's middle
    expect(s.p50LatencyMs).not.toBeNull();
    expect(Math.abs(s.p50LatencyMs! - 124)).toBeLessThanOrEqual(124 * 0.032);
  });
});

describe("retention of background responses' events (BACKGROUND_EVENTS_HOURS)", () => {
  it("drops the events of runs that ended longer ago, keeping their Response object and the others' events", async () => {
    exec(
      file,
      `INSERT INTO StoredResponse (id, requestId, model, createdAt, body, background, status, finishedAt)
       VALUES ('resp_bg_old', 'x1', 'm', ?, '{}', 1, 'completed', ?), ('resp_bg_new', 'x2', 'm', ?, '{}', 1, 'completed', ?),
              ('resp_bg_run', 'x3', 'm', ?, '{}', 1, 'in_progress', NULL)`,
      NOW - 3 * DAY,
      NOW - 3 * DAY,
      NOW - 1_000,
      NOW - 1_000,
      NOW - 3 * DAY,
    );
    for (const id of ["resp_bg_old", "resp_bg_new", "resp_bg_run"]) {
      for (let seq = 0; seq < 30; seq++) exec(file, `INSERT INTO ResponseEvent VALUES (?, ?, 't', '{}')`, id, seq);
    }
    expect(await R.pruneResponseEvents(NOW, 24)).toBe(30);
    expect(query(file, "SELECT responseId, COUNT(*) AS n FROM ResponseEvent GROUP BY 1 ORDER BY 1")).toEqual([
      { responseId: "resp_bg_new", n: 30 },
      { responseId: "resp_bg_run", n: 30 },
    ]);
    expect(query(file, "SELECT id FROM StoredResponse WHERE id = 'resp_bg_old'")).toEqual([{ id: "resp_bg_old" }]);
    expect(await R.pruneResponseEvents(NOW, 0)).toBe(0);
  });
});
