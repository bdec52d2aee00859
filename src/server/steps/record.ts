// A finished request's steps as they are kept with its record (usage/recorder.ts): open steps closed at
// the request's end; with STORE_CONTENT=false no input summaries or paths (the tools, outcomes, sizes and
// timings stay).
import type { StepLog } from "./log";
import type { Step } from "./types";

export function recordedSteps(log: StepLog | null, endedAt: number, storeContent: boolean): Step[] {
  if (!log) return [];
  return log.steps.map((s) => ({
    ...s,
    durationMs: s.durationMs ?? Math.max(0, endedAt - s.startedAt),
    summary: storeContent ? s.summary : null,
    path: storeContent ? s.path : null,
  }));
}
