import "server-only";
import type { ChatOutcome } from "../../chat";
import { ClientCancelled } from "../../chat/cancel";
import { isEvent, type WireFormat } from "../../chat/format";
import { env } from "../../env";
import { log } from "../../log";
import { ApiError, toApiError } from "../../openai/errors";
import { responseError } from "../envelope";
import { sseEvents } from "./frames";
import { type LocalRun, local, notify } from "./local";
import { RunLog } from "./run-log";
import { insertRun, runsInFlight } from "./store";
import { ensureWatch } from "./watch";

/** What the Responses service hands over to run in the background. */
export interface BackgroundStart {
  id: string;
  keyId: string | null;
  requestId: string;
  model: string;
  /** The Response object as first answered (`queued`). */
  initial: Record<string, unknown>;
  /** The run's wire format: its failure events when the run fails before its stream starts. */
  format: WireFormat;
  /** Runs the chat service (streaming, in the Responses format) under `signal`. */
  start(signal: AbortSignal): Promise<ChatOutcome>;
}

/** The operator's bounds (BACKGROUND_MAX, BACKGROUND_MAX_PER_KEY): beyond them a 429. Checked before anything is claimed. */
export async function admitBackground(keyId: string | null): Promise<void> {
  const { BACKGROUND_MAX, BACKGROUND_MAX_PER_KEY } = env();
  const n = await runsInFlight(keyId);
  const over =
    n.all >= BACKGROUND_MAX
      ? `${BACKGROUND_MAX} in all`
      : n.key >= BACKGROUND_MAX_PER_KEY
        ? `${BACKGROUND_MAX_PER_KEY} per key`
        : null;
  if (over) {
    throw new ApiError(429, `Too many background responses in flight (at most ${over}); retry when one has ended.`, {
      code: "too_many_background_responses",
      headers: { "retry-after": "5" },
    });
  }
}

/**
 * Starts a background response: its row (`queued`) is written before this returns; the run itself goes
 * on apart from the request (its own AbortController: a client that leaves does not end it), under the
 * same timeouts and concurrency limits as any run, and reads the same Responses event stream a
 * streaming client gets, writing each event to the response's log.
 */
export async function startBackground(b: BackgroundStart): Promise<void> {
  const registry = local();
  const leaseMs = env().BACKGROUND_LEASE_MS;
  await insertRun(
    { id: b.id, keyId: b.keyId, requestId: b.requestId, model: b.model, body: JSON.stringify(b.initial) },
    registry.instance,
    new Date(Date.now() + leaseMs),
  );
  const run: LocalRun = {
    id: b.id,
    controller: new AbortController(),
    done: Promise.resolve(),
    status: "queued",
    listeners: new Set(),
  };
  registry.runs.set(b.id, run);
  ensureWatch();
  run.done = drive(b, run, leaseMs)
    .catch((e) => log({ level: "error", msg: `background response ${b.id} failed`, error: String(e) }, "stderr"))
    .finally(() => {
      registry.runs.delete(b.id);
      notify(run);
    });
}

async function drive(b: BackgroundStart, run: LocalRun, leaseMs: number): Promise<void> {
  const { signal } = run.controller;
  const runLog = new RunLog(b.id, local().instance, b.initial, leaseMs, {
    lost: () => run.controller.abort(new ClientCancelled("the run is no longer this instance's")),
    written: () => notify(run),
  });
  const cancelled = () => signal.aborted && signal.reason instanceof ClientCancelled;
  let outcome: ChatOutcome;
  try {
    outcome = await b.start(signal);
  } catch (e) {
    if (cancelled()) runLog.snapshot.end("cancelled");
    else {
      const frames = [...b.format.open(), ...b.format.fail(toApiError(e))].filter(isEvent);
      for (const f of frames) runLog.push(f.data as Record<string, unknown>);
    }
    return runLog.flush(true);
  }
  if (outcome.kind !== "stream") throw new Error("a background run streams");
  run.status = "in_progress";
  let broken: unknown = null;
  try {
    for await (const event of sseEvents(outcome.body)) runLog.push(event);
  } catch (e) {
    broken = e;
  }
  // The stream ended without its terminal event: cancelled, or cut short.
  if (runLog.status === "queued" || runLog.status === "in_progress") {
    if (cancelled()) runLog.snapshot.end("cancelled");
    else {
      const why = signal.reason ?? broken ?? new Error("the run's stream ended before its last event");
      runLog.snapshot.end("failed", responseError(toApiError(why)));
    }
  }
  await runLog.flush(true);
}
