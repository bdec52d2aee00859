import { env } from "../env";
import { ApiError } from "../openai/errors";
import { takeAdvisoryLock } from "./pg-lock";

interface Waiter {
  grant: () => void;
  fail: (e: unknown) => void;
}
const queues = new Map<string, Waiter[]>();

const sessionBusy = (id: string, waitMs: number) =>
  new ApiError(409, `Session "${id}" is busy with another request; waited ${waitMs} ms (SESSION_WAIT_MS).`, {
    code: "session_busy",
    headers: { "retry-after": "5" },
  });

/**
 * Serializes requests on one session: resolves with a release function once every earlier holder
 * has released, or rejects with 409 after `waitMs`, or with the signal's reason when it aborts. On
 * PostgreSQL (DATABASE_URL) the holder also takes the session's advisory lock (pg-lock.ts), so requests
 * on one session are serialized across every instance sharing the database, within the same wait.
 */
export async function acquireSessionLock(id: string, waitMs: number, signal: AbortSignal): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  const release = await acquireLocal(id, waitMs, signal);
  const url = env().DATABASE_URL;
  if (!url) return release;
  try {
    const unlock = await takeAdvisoryLock(url, id, deadline, signal);
    if (!unlock) throw sessionBusy(id, waitMs);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unlock()
        .catch((e) => console.error(`cc-bridge: releasing the session lock of "${id}" failed: ${e?.message ?? e}`))
        .finally(release);
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** The in-process queue: one holder per session id in this process, granted in arrival order. */
function acquireLocal(id: string, waitMs: number, signal: AbortSignal): Promise<() => void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const queue = queues.get(id);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const q = queues.get(id);
    const next = q?.shift();
    if (next) next.grant();
    else queues.delete(id);
  };
  if (!queue) {
    queues.set(id, []);
    return Promise.resolve(release);
  }
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      const i = queue.indexOf(waiter);
      if (i >= 0) queue.splice(i, 1);
    };
    const waiter: Waiter = {
      grant: () => {
        cleanup();
        resolve(release);
      },
      fail: (e) => {
        cleanup();
        reject(e);
      },
    };
    const timer = setTimeout(() => waiter.fail(sessionBusy(id, waitMs)), waitMs);
    const onAbort = () => waiter.fail(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    queue.push(waiter);
  });
}
