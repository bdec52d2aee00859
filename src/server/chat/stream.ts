import "server-only";
import { MessageAccumulator } from "../openai/completion";
import type { ApiError } from "../openai/errors";
import { SSE_DONE, SSE_PING, sseEvent, sseNamedEvent } from "../openai/sse";
import type { ChatEvent, RunResult } from "../providers/types";
import { ClientCancelled } from "./cancel";
import type { SseFrame, WireFormat } from "./format";
import type { Finisher } from "./index";

const encode = (f: SseFrame) =>
  f === "[DONE]" ? SSE_DONE : f === ": ping" ? SSE_PING : f.event ? sseNamedEvent(f.event, f.data) : sseEvent(f.data);

export interface StreamInput {
  events: AsyncGenerator<ChatEvent, RunResult>;
  first: IteratorResult<ChatEvent, RunResult>;
  format: WireFormat;
  finisher: Finisher;
  abort: AbortController;
  /** How often the format's ping frames go out while the upstream is silent (0: never). */
  pingMs?: number;
}

/**
 * The SSE body of a streamed answer, in the request's wire format: its opening frames, the frames of
 * each upstream event as it arrives, then its closing frames (the last one only after the turn is
 * stored and recorded, so a client that continues at once finds it); a failure after the start is
 * sent as the format's failure frames. Pull-based, so a slow client slows the upstream instead of
 * filling memory.
 *
 * However the run ends (done, failed, timed out, client gone), the provider's own cleanup runs first
 * (its process is gone, its slot free), then the record is written, then the session lock is released,
 * so the next request on the session never meets the previous run still alive.
 */
export function streamAnswer(s: StreamInput): ReadableStream<Uint8Array> {
  const acc = new MessageAccumulator();
  let pending: IteratorResult<ChatEvent, RunResult> | null = s.first;
  /** No more frames: the stream ended, or the client went away. Whoever sets it releases the lock. */
  let closed = false;
  let pulling = false;
  let out: ReadableStreamDefaultController<Uint8Array> | undefined;
  /**
   * The run's one finish, ok or fail, whichever comes first (the end of the run, an error, a timeout,
   * the client leaving); later callers wait for it instead of finishing the run a second time. Its value
   * is the error to send, if any.
   */
  let outcome: Promise<ApiError | null> | null = null;
  const settle = (finish: () => Promise<ApiError | null>) => {
    outcome ??= finish();
    return outcome;
  };

  /** Stops the provider's run and waits for its cleanup, then records the failure. */
  const stopRun = (reason: unknown) =>
    settle(async () => {
      await s.events.return(undefined as never).catch(() => {});
      return s.finisher.fail(reason);
    });
  /** The run ended well: store and record it (a failure to do so is recorded as the run's failure). */
  const finishOk = (result: RunResult) =>
    settle(async () => {
      try {
        await s.finisher.ok(result, acc);
        return null;
      } catch (e) {
        return s.finisher.fail(e);
      }
    });
  const sendError = (error: ApiError | null) => {
    if (!error || closed) return;
    try {
      for (const f of s.format.fail(error)) out?.enqueue(encode(f));
    } catch {}
  };
  /** After the finish: release the lock, then close, so a client that sees the end can go on at once. */
  const end = () => {
    if (closed) return;
    closed = true;
    s.abort.signal.removeEventListener("abort", onAbort);
    s.finisher.release();
    try {
      out?.close();
    } catch {}
  };
  /** Stops the run for `reason` and sends the error event, if the client is still there for it. */
  const failWith = async (reason: unknown) => sendError(await stopRun(reason));
  // Aborted (the timeout) while no pull is waiting on the run, e.g. a client that stopped reading:
  // end it now instead of at a next pull that may never come.
  const onAbort = () => {
    if (pulling || closed || outcome) return;
    void failWith(s.abort.signal.reason).then(end);
  };
  s.abort.signal.addEventListener("abort", onAbort, { once: true });

  /** The run's next event; meanwhile, the format's pings every pingMs (a client may drop a silent stream). */
  const nextWithPings = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const ping = s.format.ping?.bind(s.format);
    if (!ping || !s.pingMs) return s.events.next();
    const timer = setInterval(() => {
      if (closed || outcome) return;
      try {
        for (const f of ping()) controller.enqueue(encode(f));
      } catch {}
    }, s.pingMs);
    try {
      return await s.events.next();
    } finally {
      clearInterval(timer);
    }
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      out = controller;
      for (const f of s.format.open()) controller.enqueue(encode(f));
    },
    async pull(controller) {
      // Once the run is finishing (failed, timed out, client gone), it is not pulled again.
      if (closed || outcome) return;
      pulling = true;
      let finished = false;
      try {
        const step = pending ?? (await nextWithPings(controller));
        pending = null;
        if (closed || outcome) return;
        if (!step.done) {
          acc.add(step.value);
          for (const f of s.format.add(step.value)) controller.enqueue(encode(f));
        } else {
          finished = true;
          const frames = s.format.end(step.value, acc);
          const last = frames.pop();
          for (const f of frames) controller.enqueue(encode(f));
          const error = await finishOk(step.value);
          if (error) sendError(error);
          else if (last && !closed) controller.enqueue(encode(last));
        }
      } catch (e) {
        finished = true;
        await failWith(e);
      } finally {
        pulling = false;
      }
      if (!finished && !closed && !outcome && s.abort.signal.aborted) {
        // Aborted while this pull was taking its step: finish here.
        finished = true;
        await failWith(s.abort.signal.reason);
      }
      if (finished) end();
    },
    async cancel() {
      if (closed) return;
      closed = true;
      s.abort.signal.removeEventListener("abort", onAbort);
      // A run still going is stopped as cancelled; one already finishing (its turn being stored, say)
      // finishes as it was, and the lock is released only after that.
      if (!outcome) s.abort.abort(new ClientCancelled());
      await stopRun(new ClientCancelled());
      s.finisher.release();
    },
  });
}
