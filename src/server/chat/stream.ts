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
 */
export function streamCompletion(s: StreamInput): ReadableStream<Uint8Array> {
  const acc = new MessageAccumulator();
  let pending: IteratorResult<ChatEvent, RunResult> | null = s.first;
  let closed = false;

  const end = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (closed) return;
    closed = true;
    s.finisher.release();
    try {
      controller.close();
    } catch {}
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(sseEvent(s.builder.roleChunk()));
    },
    async pull(controller) {
      if (closed) return;
      try {
        const step = pending ?? (await s.events.next());
        pending = null;
        if (closed) return;
        if (!step.done) {
          acc.add(step.value);
          controller.enqueue(sseEvent(s.builder.eventChunk(step.value)));
          return;
        }
        const result = step.value;
        controller.enqueue(sseEvent(s.builder.finishChunk(result.finishReason)));
        if (s.includeUsage) controller.enqueue(sseEvent(s.builder.usageChunk(result.usage)));
        await s.finisher.ok(result, acc);
        controller.enqueue(SSE_DONE);
      } catch (e) {
        const error = await s.finisher.fail(e);
        if (error && !closed) controller.enqueue(sseEvent(error.toBody()));
      }
      end(controller);
    },
    async cancel() {
      if (closed) return;
      s.abort.abort(new ClientCancelled());
      closed = true;
      void s.events.return(undefined as never).catch(() => {});
      await s.finisher.fail(new ClientCancelled());
      s.finisher.release();
    },
  });
}
