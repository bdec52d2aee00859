import { setMaxListeners } from "node:events";
import { brand } from "../brand";
import { ApiError } from "../openai/errors";

/** The abort reason used when the client went away (as opposed to a timeout, which is an ApiError). */
export class ClientCancelled extends Error {
  constructor(reason = "client disconnected") {
    super(reason);
    this.name = "ClientCancelled";
  }
}
brand(ClientCancelled, "ClientCancelled");

const shutdown = new AbortController();
// Every run in flight listens to it (and removes its listener when it ends): more than 10 at once is
// normal load, not a leak, so no MaxListenersExceededWarning.
setMaxListeners(0, shutdown.signal);
let shutdownHooked = false;

/**
 * Aborted when the gateway is told to stop (SIGTERM, SIGINT): every run ends at once, answered and
 * recorded as 503, so no process outlives the gateway and no record is lost while it drains.
 */
export function shutdownSignal(): AbortSignal {
  if (!shutdownHooked) {
    shutdownHooked = true;
    const stop = () =>
      shutdown.abort(
        new ApiError(503, "The gateway is shutting down; retry shortly.", {
          code: "gateway_shutdown",
          headers: { "retry-after": "5" },
        }),
      );
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  }
  return shutdown.signal;
}

/**
 * One controller for a run: aborts on client disconnect, on timeout or on shutdown, whichever comes first.
 * The timeout counts from startTimer(), that is from when the upstream run really begins: time
 * spent waiting for a session lock or in a provider's queue is not part of it.
 */
export function runSignal(client: AbortSignal, timeoutMs: number, onTimeout: () => Error) {
  const controller = new AbortController();
  // A ClientCancelled the caller gave (a background run's cancel says who cancelled it) is kept as it is.
  const cancel = () =>
    controller.abort(client.reason instanceof ClientCancelled ? client.reason : new ClientCancelled());
  if (client.aborted) cancel();
  else client.addEventListener("abort", cancel, { once: true });
  const stopping = shutdownSignal();
  const stop = () => controller.abort(stopping.reason);
  if (stopping.aborted) stop();
  else stopping.addEventListener("abort", stop, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  return {
    controller,
    signal: controller.signal,
    startTimer: () => {
      if (timer !== undefined || disposed) return;
      timer = setTimeout(() => controller.abort(onTimeout()), timeoutMs);
    },
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
      client.removeEventListener("abort", cancel);
      stopping.removeEventListener("abort", stop);
    },
  };
}
