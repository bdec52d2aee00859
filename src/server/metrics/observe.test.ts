import { describe, expect, it } from "vitest";
import type { RequestRow } from "../usage/store";
import { requestFinished, requestStarted } from "./observe";
import { metrics } from "./registry";
import { noteClaudeProcessWait, noteRecordWriteFailed, setRecordWriteFailures } from "./sources";

// A scrape reads the Claude pool, which starts its spares: none here.
process.env.CLAUDE_SPARES = "0";

const row = (model: string, extra: Partial<RequestRow> = {}): RequestRow => ({
  id: "req_x",
  createdAt: new Date(),
  model,
  provider: "ollama",
  upstreamModel: null,
  stream: false,
  sessionId: null,
  status: "ok",
  httpStatus: 200,
  errorType: null,
  errorCode: null,
  errorMessage: null,
  finishReason: "stop",
  promptTokens: 3,
  completionTokens: 2,
  totalTokens: 5,
  cachedTokens: 0,
  costUsd: null,
  durationMs: 120,
  ttftMs: 20,
  userAgent: null,
  clientAddress: null,
  ...extra,
});

const text = () => metrics().registry.metrics();

describe("metrics", () => {
  it("counts a request in flight until it ends, then by model with its latency and tokens", async () => {
    requestStarted("/v1/unit");
    expect(await text()).toMatch(/^ccbridge_requests_in_flight\{endpoint="\/v1\/unit"\} 1$/m);
    requestFinished("/v1/unit", row("unit/model"));
    const t = await text();
    expect(t).toMatch(/^ccbridge_requests_in_flight\{endpoint="\/v1\/unit"\} 0$/m);
    expect(t).toMatch(
      /^ccbridge_requests_total\{endpoint="\/v1\/unit",model="unit\/model",provider="ollama",status="ok",code="200"\} 1$/m,
    );
    expect(t).toMatch(
      /^ccbridge_request_duration_seconds_sum\{endpoint="\/v1\/unit",model="unit\/model",provider="ollama"\} 0.12$/m,
    );
    expect(t).toMatch(
      /^ccbridge_tokens_total\{endpoint="\/v1\/unit",model="unit\/model",provider="ollama",direction="output"\} 2$/m,
    );
  });

  it("gives at most 200 model names series of their own; later ones count as other", async () => {
    for (let i = 0; i < 250; i++) {
      requestStarted("/v1/many");
      requestFinished("/v1/many", row(`m${i}`, { status: "error", httpStatus: 404 }));
    }
    const t = await text();
    expect(t).toMatch(/model="m150"/);
    expect(t).not.toMatch(/model="m240"/);
    expect(t).toMatch(
      /^ccbridge_requests_total\{endpoint="\/v1\/many",model="other",provider="ollama",status="error",code="404"\} \d+$/m,
    );
  });

  it("reads the Claude process pool and the failed-write count from what feeds them", async () => {
    let t = await text();
    for (const state of ["running", "waiting", "idle", "spare", "reusable"]) {
      expect(t).toMatch(new RegExp(`^ccbridge_claude_processes\\{state="${state}"\\} 0$`, "m"));
      expect(t).toMatch(new RegExp(`^ccbridge_claude_processes_resident_memory_bytes\\{state="${state}"\\} 0$`, "m"));
    }
    expect(t).toMatch(/^ccbridge_claude_process_queue_length 0$/m);
    expect(t).toMatch(/^ccbridge_claude_process_wait_seconds_count 0$/m);
    // Waits noted between two scrapes all reach the histogram once.
    noteClaudeProcessWait(0.02);
    noteClaudeProcessWait(1.5);
    t = await text();
    expect(t).toMatch(/^ccbridge_claude_process_wait_seconds_count 2$/m);
    expect(t).toMatch(/^ccbridge_claude_process_wait_seconds_bucket\{le="0.025"\} 1$/m);
    expect(t).toMatch(/^ccbridge_claude_process_wait_seconds_sum 1.52$/m);
    t = await text();
    expect(t).toMatch(/^ccbridge_claude_process_wait_seconds_count 2$/m);
    noteRecordWriteFailed();
    t = await text();
    expect(t).toMatch(/^ccbridge_record_write_failures_total 1$/m);
    setRecordWriteFailures(() => 7);
    t = await text();
    expect(t).toMatch(/^ccbridge_record_write_failures_total 7$/m);
  });
});
