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
