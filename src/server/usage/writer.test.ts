import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { freshDb, query } from "../../../tests/helpers/seed";
import { stepsOfRun } from "../../../tests/helpers/steps";
import type { RequestRow } from "./store";
import { markInterrupted, RecordWriter } from "./writer";

const NOW = Date.UTC(2026, 0, 10, 12, 30, 0);

const row = (id: string, over: Partial<RequestRow> = {}): RequestRow => ({
  id,
  createdAt: new Date(NOW),
  model: "ollama/qwen3:8b",
  provider: "ollama",
  upstreamModel: "qwen3:8b",
  stream: false,
  sessionId: null,
  status: "ok",
  httpStatus: 200,
  errorType: null,
  errorCode: null,
  errorMessage: null,
  finishReason: "stop",
  promptTokens: 5,
  completionTokens: 7,
  totalTokens: 12,
  cachedTokens: 0,
  costUsd: null,
  durationMs: 40,
  ttftMs: 10,
  userAgent: null,
  clientAddress: null,
  ...over,
});
const running = (id: string) =>
  row(id, {
    status: "running",
    httpStatus: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    durationMs: 0,
    ttftMs: null,
  });

const hourly = (file: string) =>
  query<{ requests: number; errors: number; latencyCount: number; promptTokens: number; ttftCount: number }>(
    file,
    "SELECT requests, errors, latencyCount, promptTokens, ttftCount FROM UsageHourly",
  );
const hist = (file: string) => query<{ n: number }>(file, "SELECT SUM(count) AS n FROM LatencyHistogram")[0]!.n;
const tick = () => new Promise((r) => setTimeout(r, 20));
/** One busy turn of the event loop (the gateway serving other requests). */
const busyTurn = (us = 200) =>
  new Promise<void>((r) =>
    setImmediate(() => {
      const end = performance.now() + us / 1000;
      while (performance.now() < end);
      r();
    }),
  );

describe("record writer", () => {
  it("writes a run's steps with its final record (500 tool calls all kept), once even when written again", async () => {
    const file = freshDb("writer-steps");
    const w = new RecordWriter(file, { checkpointer: false });
    const steps = stepsOfRun(500);
    const finish = () => w.enqueue({ kind: "finish", id: "s", row: row("s"), content: null, steps });
    expect(await finish()).toBe(true);
    expect(await finish()).toBe(true);
    expect(query(file, `SELECT COUNT(*) AS n, COUNT(tool) AS tools, MIN(startedAt) AS first FROM RequestStep`)).toEqual(
      [{ n: 1_000, tools: 500, first: steps[0]!.startedAt }],
    );
    expect(query(file, `SELECT tool, summary, path, outcome FROM RequestStep WHERE seq = 8`)).toEqual([
      { tool: "Bash", summary: "echo 3", path: null, outcome: "error" },
    ]);
  });

  it("writes the running record at the start and completes it once: the rollups count it once", async () => {
    const file = freshDb("writer-once");
    const w = new RecordWriter(file);
    let model = "early";
    w.enqueue({
      kind: "begin",
      id: "a",
      snapshot: () => ({ row: running("a"), content: { prompt: model, answer: "" } }),
    });
    model = '[{"role":"user"}]';
    await tick();
    expect(query(file, "SELECT status, httpStatus FROM Request")).toEqual([{ status: "running", httpStatus: 0 }]);
    // the snapshot is taken when the batch is written
    expect(query(file, "SELECT prompt FROM RequestContent")).toEqual([{ prompt: model }]);
    expect(hourly(file)).toEqual([{ requests: 1, errors: 0, latencyCount: 0, promptTokens: 0, ttftCount: 0 }]);
    expect(await w.enqueue({ kind: "finish", id: "a", row: row("a"), content: { prompt: model, answer: "hi" } })).toBe(
      true,
    );
    expect(query(file, "SELECT status, promptTokens FROM Request")).toEqual([{ status: "ok", promptTokens: 5 }]);
    expect(query(file, "SELECT answer FROM RequestContent")).toEqual([{ answer: "hi" }]);
    expect(hourly(file)).toEqual([{ requests: 1, errors: 0, latencyCount: 1, promptTokens: 5, ttftCount: 1 }]);
    expect(hist(file)).toBe(4); // duration and ttft, per hour and per day
  });

  it("writes only the final record when the request ends within the same batch", async () => {
    const file = freshDb("writer-batch");
    const w = new RecordWriter(file);
    let snapshots = 0;
    w.enqueue({
      kind: "begin",
      id: "b",
      snapshot: () => {
        snapshots++;
        return { row: running("b"), content: null };
      },
    });
    const done = [1, 2, 3].map((i) => w.enqueue({ kind: "finish", id: `c${i}`, row: row(`c${i}`), content: null }));
    expect(
      await w.enqueue({ kind: "finish", id: "b", row: row("b", { status: "error", httpStatus: 502 }), content: null }),
    ).toBe(true);
    expect(await Promise.all(done)).toEqual([true, true, true]);
    expect(snapshots).toBe(0);
    expect(query(file, "SELECT COUNT(*) AS n FROM Request")).toEqual([{ n: 4 }]);
    expect(hourly(file)).toEqual([{ requests: 4, errors: 1, latencyCount: 4, promptTokens: 20, ttftCount: 4 }]);
  });

  it("marks the running records of a dead process interrupted, keeping what was known", async () => {
    const file = freshDb("writer-interrupted");
    const w = new RecordWriter(file);
    w.enqueue({
      kind: "begin",
      id: "d",
      snapshot: () => ({ row: { ...running("d"), sessionId: "s1" }, content: null }),
    });
    await w.enqueue({ kind: "finish", id: "e", row: row("e"), content: null });
    expect(markInterrupted(file)).toBe(1);
    expect(query(file, "SELECT id, status, errorCode, sessionId, model FROM Request ORDER BY id")).toEqual([
      { id: "d", status: "interrupted", errorCode: "gateway_stopped", sessionId: "s1", model: "ollama/qwen3:8b" },
      { id: "e", status: "ok", errorCode: null, sessionId: null, model: "ollama/qwen3:8b" },
    ]);
    expect(hourly(file)).toEqual([{ requests: 2, errors: 0, latencyCount: 1, promptTokens: 5, ttftCount: 1 }]);
    expect(markInterrupted(file)).toBe(0);
  });

  it("counts failed writes while the database file is gone and writes the queued records when it is back", async () => {
    const file = freshDb("writer-gone");
    const w = new RecordWriter(file);
    expect(w.probe()).toBeNull();
    fs.renameSync(file, `${file}.away`);
    const saved = w.enqueue({ kind: "finish", id: "f", row: row("f"), content: null });
    await tick();
    expect(w.failedWrites).toBe(1);
    expect(w.error).toMatch(/is gone/);
    expect(w.probe()).toMatch(/is gone/);
    fs.renameSync(`${file}.away`, file);
    expect(await saved).toBe(true);
    expect(w.error).toBeNull();
    expect(w.probe()).toBeNull();
    expect(query(file, "SELECT id FROM Request")).toEqual([{ id: "f" }]);
  });

  it.skipIf(process.getuid?.() !== 0)("recovers after the file was immutable (chattr +i, as root)", async () => {
    const file = freshDb("writer-immutable");
    const w = new RecordWriter(file);
    await w.enqueue({ kind: "finish", id: "g0", row: row("g0"), content: null });
    const files = [file, `${file}-wal`].filter((f) => fs.existsSync(f));
    try {
      execFileSync("chattr", ["+i", ...files]);
    } catch {
      return; // a file system without immutable files: nothing to test here
    }
    let saved: Promise<boolean>;
    try {
      saved = w.enqueue({ kind: "finish", id: "g1", row: row("g1"), content: { prompt: "p", answer: "a" } });
      await tick();
      expect(w.failedWrites).toBe(1);
      expect(w.error).not.toBeNull();
      expect(w.probe()).not.toBeNull();
    } finally {
      execFileSync("chattr", ["-i", ...files]);
    }
    expect(await saved).toBe(true);
    expect(w.probe()).toBeNull();
    expect(query(file, "SELECT id FROM Request ORDER BY id")).toEqual([{ id: "g0" }, { id: "g1" }]);
  });

  it("under load gathers the ends of several turns into one commit, each record written once", async () => {
    const file = freshDb("writer-gather");
    // a long window, so that a slow machine cannot end it early: the busy turns below are what gathers
    const w = new RecordWriter(file, { gatherMs: 1_000 });
    expect(await w.enqueue({ kind: "finish", id: "h0", row: row("h0"), content: null })).toBe(true);
    const commits = w.commits;
    const saved: Promise<boolean>[] = [];
    for (let i = 1; i <= 5; i++) {
      w.enqueue({
        kind: "begin",
        id: `h${i}`,
        snapshot: () => ({ row: running(`h${i}`), content: null }),
      });
      saved.push(w.enqueue({ kind: "finish", id: `h${i}`, row: row(`h${i}`), content: { prompt: "p", answer: "a" } }));
      await busyTurn();
    }
    expect(await Promise.all(saved)).toEqual([true, true, true, true, true]);
    expect(w.commits - commits).toBeLessThan(5);
    expect(query(file, "SELECT COUNT(*) AS n, SUM(status = 'ok') AS ok FROM Request")).toEqual([{ n: 6, ok: 6 }]);
    expect(query(file, "SELECT COUNT(*) AS n FROM RequestContent")).toEqual([{ n: 5 }]);
    expect(hourly(file)).toEqual([{ requests: 6, errors: 0, latencyCount: 6, promptTokens: 30, ttftCount: 6 }]);
    expect(hist(file)).toBe(24);
  });

  it("commits at once when the event loop has nothing else to do, even within the gather window", async () => {
    const file = freshDb("writer-idle");
    const w = new RecordWriter(file, { gatherMs: 60_000 });
    await w.enqueue({ kind: "finish", id: "i0", row: row("i0"), content: null });
    const t0 = performance.now();
    expect(await w.enqueue({ kind: "finish", id: "i1", row: row("i1"), content: null })).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(w.commits).toBe(2);
  });

  it("runs WAL checkpoints on a worker thread, and checkpoints itself without one", async () => {
    const file = freshDb("writer-checkpoint");
    const w = new RecordWriter(file);
    for (let i = 0; i < 20; i++) await w.enqueue({ kind: "finish", id: `k${i}`, row: row(`k${i}`), content: null });
    for (let i = 0; i < 100 && w.checkpoints === 0; i++) await tick();
    expect(w.checkpoints).toBeGreaterThan(0);
    const walPages = (x: RecordWriter) =>
      (x as unknown as { db: { pragma: (s: string, o: object) => unknown } }).db.pragma("wal_autocheckpoint", {
        simple: true,
      });
    expect(walPages(w)).toBe(4_000); // the writer's own checkpoints: only a fallback
    const own = new RecordWriter(freshDb("writer-checkpoint-own"), { checkpointer: false });
    await own.enqueue({ kind: "finish", id: "k", row: row("k"), content: null });
    expect(own.checkpoints).toBe(0);
    expect(walPages(own)).toBe(1_000);
    expect(query(file, "SELECT COUNT(*) AS n FROM Request")).toEqual([{ n: 20 }]);
  });
});
