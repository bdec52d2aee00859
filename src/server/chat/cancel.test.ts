import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ClientCancelled, runSignal } from "./cancel";

describe("runSignal", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("counts the timeout from startTimer, not from its creation", () => {
    const client = new AbortController();
    const run = runSignal(client.signal, 1_000, () => new Error("timed out"));
    vi.advanceTimersByTime(5_000);
    expect(run.signal.aborted).toBe(false);
    run.startTimer();
    run.startTimer(); // a second call does not restart the clock
    vi.advanceTimersByTime(999);
    expect(run.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(run.signal.reason).toEqual(new Error("timed out"));
  });

  it("aborts with ClientCancelled when the client goes away, also while still queued", () => {
    const client = new AbortController();
    const run = runSignal(client.signal, 1_000, () => new Error("timed out"));
    client.abort();
    expect(run.signal.reason).toBeInstanceOf(ClientCancelled);
  });

  it("arms nothing after dispose", () => {
    const client = new AbortController();
    const run = runSignal(client.signal, 1_000, () => new Error("timed out"));
    run.dispose();
    run.startTimer();
    vi.advanceTimersByTime(2_000);
    client.abort();
    expect(run.signal.aborted).toBe(false);
  });
});
