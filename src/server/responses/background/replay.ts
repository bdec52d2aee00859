import "server-only";
import { SSE_PING, sseNamedJson } from "../../openai/sse";
import { local } from "./local";
import { eventsAfter, runState } from "./store";

/** How often a reader looks for new events of a run on another instance (one on this instance wakes it at once). */
const TAIL_MS = 200;

/** Until the run's next events are written on this instance, or TAIL_MS, whichever comes first. */
function news(id: string): Promise<void> {
  const run = local().runs.get(id);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      run?.listeners.delete(done);
      resolve();
    };
    const timer = setTimeout(done, TAIL_MS);
    run?.listeners.add(done);
  });
}

/**
 * A background response's events after `after` as SSE, then live ones until its log is complete: what
 * `GET /v1/responses/{id}?stream=true&starting_after=N` and a background `stream: true` request answer.
 * Read from the database, so any instance serves any run, and any number of readers follow one run; each
 * event goes out once, in order (the log is written in sequence order, a batch at a time). A comment line
 * every `pingMs` while nothing comes keeps proxies from cutting it. Leaving stops only this reader.
 */
export function replayStream(id: string, after: number, pingMs: number): ReadableStream<Uint8Array> {
  let last = after;
  let stopped = false;
  let quietSince = Date.now();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (!stopped) {
        const events = await eventsAfter(id, last);
        if (events.length) {
          for (const e of events) controller.enqueue(sseNamedJson(e.type, e.json));
          last = events.at(-1)?.seq ?? last;
          quietSince = Date.now();
          return;
        }
        // Its last batch and the end mark are written together: once ended, one more read has them all.
        const state = await runState(id);
        if (!state || state.finished) {
          if ((await eventsAfter(id, last, 1)).length) continue;
          controller.close();
          return;
        }
        await news(id);
        if (Date.now() - quietSince >= pingMs) {
          controller.enqueue(SSE_PING);
          quietSince = Date.now();
          return;
        }
      }
    },
    cancel() {
      stopped = true;
    },
  });
}
