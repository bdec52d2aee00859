/**
 * Figures other modules feed to /metrics without importing prom-client: the count of failed record
 * writes. Kept on globalThis so every route bundle shares them.
 */

interface Sources {
  recordWriteFailures: (() => number) | null;
  failedWrites: number;
}

const g = globalThis as unknown as { __ccBridgeMetricSources?: Sources };
const sources = (): Sources => {
  g.__ccBridgeMetricSources ??= { recordWriteFailures: null, failedWrites: 0 };
  return g.__ccBridgeMetricSources;
};

/** A store with its own failure counter registers it here; until then the recorder reports each failure. */
export function setRecordWriteFailures(read: () => number): void {
  sources().recordWriteFailures = read;
}

export function noteRecordWriteFailed(): void {
  sources().failedWrites++;
}

export const recordWriteFailures = (): number => sources().recordWriteFailures?.() ?? sources().failedWrites;

/** Waits for a Claude Code process (seconds) not yet given to the histogram; the oldest go past 10,000. */
const g2 = globalThis as unknown as { __ccBridgeClaudeWaits?: number[] };
export function noteClaudeProcessWait(seconds: number): void {
  g2.__ccBridgeClaudeWaits ??= [];
  g2.__ccBridgeClaudeWaits.push(seconds);
  if (g2.__ccBridgeClaudeWaits.length > 10_000) g2.__ccBridgeClaudeWaits.shift();
}

/** Takes the waits noted since the last call (the metrics registry observes them at each scrape). */
export function takeClaudeProcessWaits(): number[] {
  return (g2.__ccBridgeClaudeWaits ?? []).splice(0);
}

/** OpenTelemetry spans dropped (telemetry/ counts them); read by /metrics. */
const g3 = globalThis as unknown as { __ccBridgeDroppedSpans?: number };
export function noteDroppedSpans(n: number): void {
  g3.__ccBridgeDroppedSpans = (g3.__ccBridgeDroppedSpans ?? 0) + n;
}
export const droppedSpans = (): number => g3.__ccBridgeDroppedSpans ?? 0;
