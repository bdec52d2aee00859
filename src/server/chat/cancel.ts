/** The abort reason used when the client went away (as opposed to a timeout, which is an ApiError). */
export class ClientCancelled extends Error {
  constructor(reason = "client disconnected") {
    super(reason);
    this.name = "ClientCancelled";
  }
}

/**
 * One controller for a run: aborts on client disconnect or on timeout, whichever comes first.
 * The timeout counts from startTimer(), that is from when the upstream run really begins: time
 * spent waiting for a session lock or in a provider's queue is not part of it.
 */
export function runSignal(client: AbortSignal, timeoutMs: number, onTimeout: () => Error) {
  const controller = new AbortController();
  const cancel = () => controller.abort(new ClientCancelled());
  if (client.aborted) cancel();
  else client.addEventListener("abort", cancel, { once: true });
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
    },
  };
}
