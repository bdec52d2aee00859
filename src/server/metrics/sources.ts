/**
 * Figures other modules feed to /metrics without importing prom-client: the Claude Code process
 * pool and the count of failed record writes. Kept on globalThis so every route bundle shares them.
 */

export interface ClaudeProcessStats {
  running: number;
  idle: number;
  spare: number;
  rssBytes: number;
}

interface Sources {
  claudeProcesses: (() => ClaudeProcessStats) | null;
  recordWriteFailures: (() => number) | null;
  failedWrites: number;
}

const g = globalThis as unknown as { __ccBridgeMetricSources?: Sources };
const sources = (): Sources => {
  g.__ccBridgeMetricSources ??= { claudeProcesses: null, recordWriteFailures: null, failedWrites: 0 };
  return g.__ccBridgeMetricSources;
};

/** The Claude provider registers how to read its process pool (e.g. `claudeProcessStats`). */
export function setClaudeProcessStats(read: () => ClaudeProcessStats): void {
  sources().claudeProcesses = read;
}

export const claudeProcessStats = (): ClaudeProcessStats | null => sources().claudeProcesses?.() ?? null;

/** A store with its own failure counter registers it here; until then the recorder reports each failure. */
export function setRecordWriteFailures(read: () => number): void {
  sources().recordWriteFailures = read;
}

export function noteRecordWriteFailed(): void {
  sources().failedWrites++;
}

export const recordWriteFailures = (): number => sources().recordWriteFailures?.() ?? sources().failedWrites;
