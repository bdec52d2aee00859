import { describe, expect, it } from "vitest";
import { ApiError } from "../openai/errors";
import { acquireSessionLock } from "./lock";

const never = new AbortController().signal;

describe("acquireSessionLock", () => {
  it("grants holders one at a time, in order", async () => {
    const order: string[] = [];
    const r1 = await acquireSessionLock("a", 1000, never);
    const granted = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const p2 = acquireSessionLock("a", 1000, never).then(granted("2"));
    const p3 = acquireSessionLock("a", 1000, never).then(granted("3"));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    r1();
    (await p2)();
    (await p3)();
    expect(order).toEqual(["2", "3"]);
    // Released fully: a new holder gets it at once; releasing twice is harmless.
    const r4 = await acquireSessionLock("a", 10, never);
    r4();
    r4();
  });

  it("fails with 409 session_busy after the wait", async () => {
    const r1 = await acquireSessionLock("b", 1000, never);
    const e = await acquireSessionLock("b", 30, never).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(409);
    expect(e.code).toBe("session_busy");
    r1();
    (await acquireSessionLock("b", 10, never))();
  });

  it("stops waiting when the signal aborts, and skips the aborted waiter", async () => {
    const r1 = await acquireSessionLock("c", 1000, never);
    const ac = new AbortController();
    const waiting = acquireSessionLock("c", 1000, ac.signal).catch((x) => x);
    const next = acquireSessionLock("c", 1000, never);
    ac.abort(new Error("gone"));
    expect(String(await waiting)).toMatch(/gone/);
    r1();
    (await next)();
  });

  it("keeps different sessions independent", async () => {
    const a = await acquireSessionLock("d1", 10, never);
    const b = await acquireSessionLock("d2", 10, never);
    a();
    b();
  });
});
