import "server-only";
import { type CompletionBuilder, MessageAccumulator } from "../openai/completion";
import { SSE_DONE, sseEvent } from "../openai/sse";
import type { ChatEvent, RunResult } from "../providers/types";
import type { RequestRecorder } from "../usage/recorder";
import { ClientCancelled } from "./cancel";
import type { Finisher } from "./index";

export interface StreamInput {
  events: AsyncGenerator<ChatEvent, RunResult>;
  first: IteratorResult<ChatEvent, RunResult>;
  builder: CompletionBuilder;
  recorder: RequestRecorder;
  finisher: Finisher;
  abort: AbortController;
  includeUsage: boolean;
}

/**
 * The SSE body of a streamed completion: the role chunk, one chunk per upstream event as it arrives,
 * the finish chunk, the usage chunk when asked, then [DONE]. A failure after the start is sent as
 * `data: {"error":…}`. Pull-based, so a slow client slows the upstream instead of filling memory.
 *
 * However the run ends (done, failed, timed out, client gone), the provider's own cleanup runs first
 * (its process is gone, its slot free), then the record is written, then the session lock is released,
 * so the next request on the session never meets the previous run still alive.
 */
export function streamCompletion(s: StreamInput): ReadableStream<Uint8Array> {
  const acc = new MessageAccumulator();
  let pending: IteratorResult<ChatEvent, RunResult> | null = s.first;
  let closed = false;
  let pulling = false;
  let out: ReadableStreamDefaultController<Uint8Array> | undefined;

  /** Stops the provider's run and waits for its cleanup, then records the failure. */
  const stopRun = async (reason: unknown) => {
    await s.events.return(undefined as never).catch(() => {});
    return s.finisher.fail(reason);
  };
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
  const failWith = async (reason: unknown) => {
    const error = await stopRun(reason);
    if (error && !closed) {
      try {
        out?.enqueue(sseEvent(error.toBody()));
      } catch {}
    }
  };
  // Aborted (the timeout) while no pull is waiting on the run, e.g. a client that stopped reading:
  // end it now instead of at a next pull that may never come.
  const onAbort = () => {
    if (pulling || closed) return;
    void failWith(s.abort.signal.reason).then(end);
  };
  s.abort.signal.addEventListener("abort", onAbort, { once: true });

  return new ReadableStream<Uint8Array>({
    start(controller) {
      out = controller;
      controller.enqueue(sseEvent(s.builder.roleChunk()));
    },
    async pull(controller) {
      if (closed) return;
      pulling = true;
      let finished = false;
      try {
        const step = pending ?? (await s.events.next());
        pending = null;
        if (closed) return;
        if (!step.done) {
          acc.add(step.value);
          controller.enqueue(sseEvent(s.builder.eventChunk(step.value)));
        } else {
          finished = true;
          const result = step.value;
          controller.enqueue(sseEvent(s.builder.finishChunk(result.finishReason)));
          if (s.includeUsage) controller.enqueue(sseEvent(s.builder.usageChunk(result.usage)));
          await s.finisher.ok(result, acc);
          controller.enqueue(SSE_DONE);
        }
      } catch (e) {
        finished = true;
        await failWith(e);
      } finally {
        pulling = false;
      }
      if (!finished && !closed && s.abort.signal.aborted) {
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
      s.abort.abort(new ClientCancelled());
      await stopRun(new ClientCancelled());
      s.finisher.release();
    },
  });
}
