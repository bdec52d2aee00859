import "server-only";
// A finished request's steps, measured (/metrics) and traced (OpenTelemetry, when on): the one place
// the recorder hands them to, once per request.
import { stepsObserved } from "../metrics/observe";
import { tracing, tracingConfigured } from "../telemetry/setup";
import { type TracedRequest, traceRequest } from "../telemetry/spans";
import type { RequestRow } from "../usage/store";
import type { StepLog } from "./log";

export function stepsFinished(req: TracedRequest, row: RequestRow, log: StepLog | null): void {
  if (log) stepsObserved(row.provider, log.steps);
  if (!tracingConfigured()) return;
  // Spans are made after the request's own work (its answer, its record), never on its path.
  setImmediate(() => {
    void tracing()
      .then((t) => {
        if (t) traceRequest(t, req, row, log);
      })
      .catch(() => {});
  });
}
