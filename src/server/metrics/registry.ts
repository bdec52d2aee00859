import "server-only";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { isCurrent } from "../claude-plan/info";
import { planState, refusalCounts } from "../claude-plan/state";
import { claudeLimiter, claudeProcessStats } from "../providers/claude-code";
import { ollamaHosts } from "../providers/ollama/route";
import { localCounts } from "../responses/background/local";
import { droppedSpans, recordWriteFailures, takeClaudeProcessWaits } from "./sources";

const STATES = ["running", "waiting", "idle", "spare", "reusable"] as const;
/** Seconds a request waited for a Claude Code process: from 10 ms to a minute. */
const WAIT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

/** Seconds: from 50 ms to 30 min (runs of agents are long). */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Seconds a tool call took: from 5 ms to 10 min. */
const TOOL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 600];
/** Model calls in one request's run. */
const CALL_BUCKETS = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500];
const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

function build() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const common = ["endpoint", "model", "provider"] as const;
  /** The plan's windows whose reset has not come yet (an API-key login has none; none when the database fails). */
  const currentWindows = async () => {
    const s = await planState().catch(() => null);
    const now = Date.now();
    return !s || s.plan === "api_key" ? [] : s.windows.filter((w) => isCurrent(w, now));
  };
  return {
    registry,
    requests: new Counter({
      name: "ccbridge_requests_total",
      help: "Requests recorded, by endpoint, model, provider, status (ok, error, cancelled) and HTTP code.",
      labelNames: [...common, "status", "code"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "ccbridge_request_duration_seconds",
      help: "Time from a request's arrival to its end (streams: the last event).",
      labelNames: common,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    ttft: new Histogram({
      name: "ccbridge_time_to_first_token_seconds",
      help: "Time from a request's arrival to the upstream's first event.",
      labelNames: common,
      buckets: TTFT_BUCKETS,
      registers: [registry],
    }),
    tokens: new Counter({
      name: "ccbridge_tokens_total",
      help: "Tokens by direction: input (prompt, cached included), output (completion), cached (part of input).",
      labelNames: [...common, "direction"],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: "ccbridge_requests_in_flight",
      help: "Requests being served now (streams until their last event), by endpoint.",
      labelNames: ["endpoint"],
      registers: [registry],
    }),
    background: new Gauge({
      name: "ccbridge_background_responses",
      help: "Background responses run by this instance now (POST /v1/responses with background: true), by status.",
      labelNames: ["status"],
      registers: [registry],
      collect() {
        for (const [status, n] of Object.entries(localCounts())) this.set({ status }, n);
      },
    }),
    claudeQueue: new Gauge({
      name: "ccbridge_claude_queue_length",
      help: "Requests waiting for a Claude Code slot.",
      registers: [registry],
      collect() {
        this.set(claudeLimiter().queued);
      },
    }),
    claudeProcesses: new Gauge({
      name: "ccbridge_claude_processes",
      help: "Claude Code processes alive, by state: running (serving a turn), waiting (a turn paused for the client's tool results), idle (a warm session), spare (started ahead of use), reusable (cleared after a stateless request, kept for the same caller and configuration).",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        const s = claudeProcessStats();
        for (const state of STATES) this.set({ state }, s[state]);
      },
    }),
    claudeProcessQueue: new Gauge({
      name: "ccbridge_claude_process_queue_length",
      help: "Requests waiting for a Claude Code process now (none was ready, and none could start at once).",
      registers: [registry],
      collect() {
        this.set(claudeProcessStats().waits.queued);
      },
    }),
    claudeProcessWait: new Histogram({
      name: "ccbridge_claude_process_wait_seconds",
      help: "How long requests that found no Claude Code process ready waited for one (its _count is how many waited).",
      buckets: WAIT_BUCKETS,
      registers: [registry],
      collect() {
        for (const s of takeClaudeProcessWaits()) this.observe(s);
      },
    }),
    claudeRss: new Gauge({
      name: "ccbridge_claude_processes_resident_memory_bytes",
      help: "Resident memory of the Claude Code processes, by state.",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        const s = claudeProcessStats();
        for (const state of STATES) this.set({ state }, s.rssBytes[state]);
      },
    }),
    claudePlanUtilization: new Gauge({
      name: "ccbridge_claude_plan_utilization",
      help: "The Claude plan's usage of each window (0-1), as Claude Code last reported it; windows past their reset are left out.",
      labelNames: ["window"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const w of await currentWindows())
          if (w.utilization !== null) this.set({ window: w.window }, w.utilization);
      },
    }),
    claudePlanResetsAt: new Gauge({
      name: "ccbridge_claude_plan_resets_at_seconds",
      help: "When each window of the Claude plan resets (Unix seconds).",
      labelNames: ["window"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const w of await currentWindows()) {
          if (w.resetsAt) this.set({ window: w.window }, Math.round(w.resetsAt.getTime() / 1000));
        }
      },
    }),
    claudePlanRefusals: new Counter({
      name: "ccbridge_claude_plan_refusals_total",
      help: "Claude requests refused by CLAUDE_PLAN_GUARD (429 plan_limit_reached), by the window named.",
      labelNames: ["window"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [window, n] of refusalCounts()) this.inc({ window }, n);
      },
    }),
    // The Ollama series by host (OLLAMA_URL's hosts, named without credentials): from the records…
    ollamaRequests: new Counter({
      name: "ccbridge_ollama_requests_total",
      help: "Ollama requests recorded, by host that served them, model, status and HTTP code.",
      labelNames: ["host", "model", "status", "code"],
      registers: [registry],
    }),
    ollamaDuration: new Histogram({
      name: "ccbridge_ollama_request_duration_seconds",
      help: "Time from an Ollama request's arrival to its end, by host and model.",
      labelNames: ["host", "model"],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    ollamaTtft: new Histogram({
      name: "ccbridge_ollama_time_to_first_token_seconds",
      help: "Time from an Ollama request's arrival to the host's first event, by host and model.",
      labelNames: ["host", "model"],
      buckets: TTFT_BUCKETS,
      registers: [registry],
    }),
    ollamaTokens: new Counter({
      name: "ccbridge_ollama_tokens_total",
      help: "Ollama tokens by host, model and direction (input, output).",
      labelNames: ["host", "model", "direction"],
      registers: [registry],
    }),
    // …and from the hosts' state now.
    ollamaHostUp: new Gauge({
      name: "ccbridge_ollama_host_up",
      help: "1 while an Ollama host is up, 0 while it is down (failed; probed with back-off).",
      labelNames: ["host"],
      registers: [registry],
      collect() {
        for (const h of ollamaHosts()) this.set({ host: h.name }, h.state === "up" ? 1 : 0);
      },
    }),
    ollamaHostInFlight: new Gauge({
      name: "ccbridge_ollama_host_requests_in_flight",
      help: "Requests being served by an Ollama host now.",
      labelNames: ["host"],
      registers: [registry],
      collect() {
        for (const h of ollamaHosts()) this.set({ host: h.name }, h.inFlight);
      },
    }),
    ollamaHostFailures: new Counter({
      name: "ccbridge_ollama_host_failures_total",
      help: "Requests an Ollama host failed before their first byte (refused, no connection in time, 5xx, cut short): each marked it down and went on to the next host, if any.",
      labelNames: ["host"],
      registers: [registry],
      collect() {
        this.reset();
        for (const h of ollamaHosts()) this.inc({ host: h.name }, h.failuresTotal);
      },
    }),
    toolCalls: new Counter({
      name: "ccbridge_tool_calls_total",
      help: "Tool calls of requests' runs (Claude Code's own tools, the client's, sub-agents'), by tool and outcome (ok, error, none: no result seen here, e.g. a client's tool).",
      labelNames: ["provider", "tool", "outcome"],
      registers: [registry],
    }),
    toolDuration: new Histogram({
      name: "ccbridge_tool_call_duration_seconds",
      help: "Time from a tool call to its result, for tool calls whose result the gateway saw.",
      labelNames: ["provider", "tool"],
      buckets: TOOL_BUCKETS,
      registers: [registry],
    }),
    modelCalls: new Histogram({
      name: "ccbridge_model_calls_per_request",
      help: "Model (API) calls in one request's run, sub-agents' included.",
      labelNames: ["provider"],
      buckets: CALL_BUCKETS,
      registers: [registry],
    }),
    spansDropped: new Counter({
      name: "ccbridge_trace_spans_dropped_total",
      help: "OpenTelemetry spans dropped: the export queue was full, or the collector failed or did not answer in time.",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(droppedSpans());
      },
    }),
    recordWriteFailures: new Counter({
      name: "ccbridge_record_write_failures_total",
      help: "Request records that could not be written to the database.",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(recordWriteFailures());
      },
    }),
  };
}

export type Metrics = ReturnType<typeof build>;

const g = globalThis as unknown as { __ccBridgeMetrics?: Metrics };

/** The process's one metrics registry (on globalThis, shared by every route bundle). */
export function metrics(): Metrics {
  g.__ccBridgeMetrics ??= build();
  return g.__ccBridgeMetrics;
}
