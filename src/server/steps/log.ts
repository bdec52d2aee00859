// The steps of the requests running now, by request id: written by the provider as its run goes
// (claude.ts, ollama), read while it runs (liveSteps: the console, a later task's progress) and taken
// once by the recorder when the request ends (usage/recorder.ts), which stores, measures and traces them.
import { MAX_STEPS, type Step } from "./types";

/** A Claude Code turn (one HTTP leg of it) within the request: the span that holds its steps. */
export interface AgentTurn {
  startedAt: number;
  endedAt: number | null;
  sessionId: string | null;
  model: string | null;
}

export type StepListener = (step: Step, phase: "start" | "end") => void;

export class StepLog {
  readonly steps: Step[] = [];
  /** Steps past MAX_STEPS: counted, not kept. */
  dropped = 0;
  readonly turns: AgentTurn[] = [];
  listener: StepListener | null = null;
  private next = 1;

  /** Adds a step (seq given here); null when the request has MAX_STEPS already. */
  add(step: Omit<Step, "seq">): Step | null {
    if (this.steps.length >= MAX_STEPS) {
      this.dropped++;
      return null;
    }
    const s = { ...step, seq: this.next++ };
    this.steps.push(s);
    this.notify(s, "start");
    return s;
  }

  notify(step: Step, phase: "start" | "end"): void {
    try {
      this.listener?.(step, phase);
    } catch {}
  }
}

const g = globalThis as unknown as { __ccBridgeSteps?: Map<string, StepLog> };
const logs = () => {
  g.__ccBridgeSteps ??= new Map();
  return g.__ccBridgeSteps;
};

/** The step log of a running request (made on first use). */
export function stepLog(requestId: string): StepLog {
  let log = logs().get(requestId);
  if (!log) {
    log = new StepLog();
    logs().set(requestId, log);
  }
  return log;
}

/** The steps of a request that is running now (a copy), or null when it is not (or has none). */
export function liveSteps(requestId: string): Step[] | null {
  const log = logs().get(requestId);
  return log ? log.steps.map((s) => ({ ...s })) : null;
}

/** Ends a request's log and hands it over (the recorder, once); null when it had none. */
export function takeSteps(requestId: string): StepLog | null {
  const log = logs().get(requestId) ?? null;
  logs().delete(requestId);
  return log;
}
