/** The abort reason used when the client went away (as opposed to a timeout, which is an ApiError). */
export class ClientCancelled extends Error {
  constructor(reason = "client disconnected") {
    super(reason);
    this.name = "ClientCancelled";
  }
}

/** One controller for a run: aborts on client disconnect or on timeout, whichever comes first. */
export function runSignal(client: AbortSignal, timeoutMs: number, onTimeout: () => Error) {
  const controller = new AbortController();
  const cancel = () => controller.abort(new ClientCancelled());
  if (client.aborted) cancel();
  else client.addEventListener("abort", cancel, { once: true });
  const timer = setTimeout(() => controller.abort(onTimeout()), timeoutMs);
  return {
    controller,
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      client.removeEventListener("abort", cancel);
    },
  };
}
