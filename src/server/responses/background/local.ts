import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** A background run of this instance. */
export interface LocalRun {
  id: string;
  /** Aborted by a cancel (ClientCancelled), a lost lease, or the gateway stopping. */
  controller: AbortController;
  /** Settles once the run ended and its last event is written. */
  done: Promise<void>;
  status: "queued" | "in_progress";
  /** Readers on this instance waiting for its next events. */
  listeners: Set<() => void>;
}

interface Registry {
  /** This process's name on the runs it holds (StoredResponse.runner). */
  instance: string;
  runs: Map<string, LocalRun>;
}

// On globalThis: POST /v1/responses, GET and /cancel are separate route bundles that share the runs.
const g = globalThis as unknown as { __ccBridgeBackground?: Registry };

export function local(): Registry {
  g.__ccBridgeBackground ??= {
    instance: `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`,
    runs: new Map(),
  };
  return g.__ccBridgeBackground;
}

/** Wakes the readers of a run on this instance (new events were written, or it ended). */
export function notify(run: LocalRun): void {
  for (const wake of [...run.listeners]) wake();
}

/** This instance's runs by status, for /health and /metrics. */
export function localCounts(): { queued: number; in_progress: number } {
  const out = { queued: 0, in_progress: 0 };
  for (const r of local().runs.values()) out[r.status]++;
  return out;
}
