import "server-only";
// A finished request's steps, measured (/metrics) and traced (OpenTelemetry, when on): where the
// recorder hands them, once per request.
import { stepsObserved } from "../metrics/observe";
import { tracing, tracingConfigured } from "../telemetry/setup";
import { type TracedRequest, traceRequest } from "../telemetry/spans";
import type { RequestRow } from "../usage/store";
import type { StepLog } from "./log";

/** /metrics: the request's tool calls and model calls. */
export function stepsMeasured(row: RequestRow, log: StepLog | null): void {
  if (log) stepsObserved(row.provider, log.steps);
}

/**
 * The request's trace, when tracing is on. Called once its record is written: the spans are made at
 * the next turn of the event loop, after the answer went out, never on the request's path.
 */
export function stepsTraced(req: TracedRequest, row: RequestRow, log: StepLog | null): void {
  if (!tracingConfigured()) return;
  setImmediate(() => {
    void tracing()
      .then((t) => {
        if (t) traceRequest(t, req, row, log);
      })
      .catch(() => {});
  });
}
