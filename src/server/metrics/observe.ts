import "server-only";
import type { Step } from "../steps/types";
import type { RequestRow } from "../usage/store";
import { metrics } from "./registry";

/** Most distinct model (and endpoint) label values; later ones count as "other", so a client cannot grow the series without end. */
const MAX_VALUES = 200;
const g = globalThis as unknown as { __ccBridgeMetricLabels?: Map<string, Set<string>> };

function bounded(kind: string, value: string): string {
  g.__ccBridgeMetricLabels ??= new Map();
  const seen = g.__ccBridgeMetricLabels.get(kind) ?? new Set<string>();
  g.__ccBridgeMetricLabels.set(kind, seen);
  if (seen.has(value)) return value;
  if (seen.size >= MAX_VALUES) return "other";
  seen.add(value);
  return value;
}

const endpointOf = (path: string) => bounded("endpoint", path.slice(0, 100));

/** A request began (its recorder was made). */
export function requestStarted(path: string): void {
  try {
    metrics().inFlight.inc({ endpoint: endpointOf(path) });
  } catch {}
}

/** A request ended without a record (a read that is only logged). */
export function requestDiscarded(path: string): void {
  try {
    metrics().inFlight.dec({ endpoint: endpointOf(path) });
  } catch {}
}

/** A request ended: its record's figures. */
export function requestFinished(path: string, row: RequestRow): void {
  try {
    const m = metrics();
    const endpoint = endpointOf(path);
    const labels = { endpoint, model: bounded("model", row.model || "none"), provider: row.provider || "none" };
    m.inFlight.dec({ endpoint });
    m.requests.inc({ ...labels, status: row.status, code: String(row.httpStatus) });
    m.duration.observe(labels, row.durationMs / 1000);
    if (row.ttftMs !== null) m.ttft.observe(labels, row.ttftMs / 1000);
    if (row.promptTokens) m.tokens.inc({ ...labels, direction: "input" }, row.promptTokens);
    if (row.completionTokens) m.tokens.inc({ ...labels, direction: "output" }, row.completionTokens);
    if (row.cachedTokens) m.tokens.inc({ ...labels, direction: "cached" }, row.cachedTokens);
    if (row.upstreamHost && row.provider === "ollama") {
      const byHost = { host: row.upstreamHost, model: labels.model };
      m.ollamaRequests.inc({ ...byHost, status: row.status, code: String(row.httpStatus) });
      m.ollamaDuration.observe(byHost, row.durationMs / 1000);
      if (row.ttftMs !== null) m.ollamaTtft.observe(byHost, row.ttftMs / 1000);
      if (row.promptTokens) m.ollamaTokens.inc({ ...byHost, direction: "input" }, row.promptTokens);
      if (row.completionTokens) m.ollamaTokens.inc({ ...byHost, direction: "output" }, row.completionTokens);
    }
  } catch {}
}

/** A request's steps: its tool calls by tool and outcome, their durations, its count of model calls. */
export function stepsObserved(provider: string, steps: readonly Step[]): void {
  try {
    const m = metrics();
    let calls = 0;
    for (const s of steps) {
      if (s.kind === "model") {
        calls++;
        continue;
      }
      const tool = bounded("tool", (s.tool ?? "tool").slice(0, 100));
      m.toolCalls.inc({ provider, tool, outcome: s.outcome ?? "none" });
      if (s.outcome !== null && s.durationMs !== null) m.toolDuration.observe({ provider, tool }, s.durationMs / 1000);
    }
    if (calls > 0) m.modelCalls.observe({ provider }, calls);
  } catch {}
}
