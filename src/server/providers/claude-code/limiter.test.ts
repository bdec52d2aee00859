import { describe, expect, it } from "vitest";
import { Limiter } from "./limiter";

const never = new AbortController().signal;

describe("Limiter", () => {
  it("runs at most max at once, queues the rest in order, and refuses past the queue", async () => {
    const l = new Limiter(2, 1);
    const a = await l.acquire(never);
    const b = await l.acquire(never);
    let cGranted = false;
    const c = l.acquire(never).then((r) => {
      cGranted = true;
      return r;
    });
    const d = await l.acquire(never).catch((e) => e);
    expect(d.status).toBe(429);
    expect(d.headers["retry-after"]).toBeTruthy();
    expect(l.running).toBe(2);
    expect(l.queued).toBe(1);
    a();
    a();
    const release = await c;
    expect(cGranted).toBe(true);
    expect(l.running).toBe(2);
    b();
    release();
    expect(l.running).toBe(0);
  });

  it("drops a waiter whose signal aborts", async () => {
    const l = new Limiter(1, 5);
    const a = await l.acquire(never);
    const ac = new AbortController();
    const waiting = l.acquire(ac.signal).catch((e) => e);
    ac.abort(new Error("client gone"));
    expect(String(await waiting)).toMatch(/client gone/);
    expect(l.queued).toBe(0);
    a();
    expect(l.running).toBe(0);
  });
});
