import { describe, expect, it, vi } from "vitest";
import type { MessageAccumulator } from "../openai/completion";
import { ApiError } from "../openai/errors";
import { parseResponsesRequest } from "../openai/responses-schema";
import { parseChatRequest } from "../openai/schemas";
import type { ChatEvent, RunResult } from "../providers/types";
import { responsesFormat } from "../responses/format";
import { ClientCancelled } from "./cancel";
import { completionsFormat } from "./completions-format";
import type { WireFormat } from "./format";
import type { Finisher } from "./index";
import { streamAnswer } from "./stream";

const RESULT: RunResult = {
  finishReason: "stop",
  usage: { promptTokens: 7, completionTokens: 3, cachedTokens: 0 },
  costUsd: null,
  upstreamModel: "fake",
};
const text = (t: string): ChatEvent => ({ type: "text", text: t });

/** Settles pending promise jobs and stream pulls (a few macrotask turns). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A provider run as a real one behaves: yields `events`, then returns `end` (or throws it); when
 * `hangAfter` events were yielded it waits on its upstream until `signal` aborts, then throws the
 * abort reason. `pulled` counts the events produced, `cleanedUp` is set by its `finally`.
 */
function fakeRun(events: ChatEvent[], end: RunResult | Error, signal: AbortSignal, hangAfter = Infinity) {
  const state = { pulled: 0, cleanedUp: false, hanging: false };
  async function* run(): AsyncGenerator<ChatEvent, RunResult> {
    try {
      for (const e of events) {
        if (state.pulled === hangAfter) {
          state.hanging = true;
          await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
        }
        state.pulled++;
        yield e;
      }
      if (end instanceof Error) throw end;
      return end;
    } finally {
      state.cleanedUp = true;
    }
  }
  return { gen: run(), state };
}

/** A Finisher that records its calls, answering as the real one: null for a cancellation, else the ApiError. */
function fakeFinisher(okGate?: Promise<void>) {
  const calls: string[] = [];
  const finisher = {
    ok: vi.fn(async (_result: RunResult, _acc: MessageAccumulator) => {
      calls.push("ok:start");
      await okGate;
      calls.push("ok:end");
    }),
    fail: vi.fn(async (e: unknown) => {
      calls.push(`fail:${(e as Error).name}`);
      return e instanceof ClientCancelled ? null : e instanceof ApiError ? e : new ApiError(500, "internal");
    }),
    release: vi.fn(() => {
      calls.push("release");
    }),
  } satisfies Finisher;
  return { finisher, calls };
}

/** The format, with its `add` counted (each call is one upstream event written to the stream). */
function counted(format: WireFormat) {
  const add = vi.fn(format.add);
  return { ...format, add };
}

const chatFormat = () =>
  counted(
    completionsFormat(
      "t1",
      parseChatRequest({
        model: "m",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "hi" }],
      }),
    ),
  );

/** streamAnswer the way runChat calls it: the first event already taken. */
async function start(
  events: ChatEvent[],
  end: RunResult | Error,
  opts: { hangAfter?: number; okGate?: Promise<void>; format?: ReturnType<typeof counted> } = {},
) {
  const abort = new AbortController();
  const run = fakeRun(events, end, abort.signal, opts.hangAfter);
  const { finisher, calls } = fakeFinisher(opts.okGate);
  const format = opts.format ?? chatFormat();
  const first = await run.gen.next();
  const body = streamAnswer({
    events: run.gen,
    first,
    format,
    finisher,
    abort,
  });
  return { body, reader: body.getReader(), abort, run: run.state, finisher, calls, format };
}

const decoder = new TextDecoder();
/** One chunk of the body is one SSE event: its `event:` name (if any) and its data. */
function frame(chunk: Uint8Array) {
  const t = decoder.decode(chunk);
  const m = /^(?:event: ([^\n]+)\n)?data: ([^\n]*)\n\n$/.exec(t);
  if (!m) throw new Error(`not one SSE event: ${JSON.stringify(t)}`);
  return { event: m[1], data: m[2] === "[DONE]" ? "[DONE]" : JSON.parse(m[2] ?? "") };
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>) {
  const out = [];
  for (;;) {
    const r = await reader.read();
    if (r.done) return out;
    out.push(frame(r.value));
  }
}

describe("streamAnswer", () => {
  it("streams the frames in order, first event included, then ok once, [DONE] last, release once", async () => {
    const s = await start([text("Hel"), text("lo"), text("!")], RESULT);
    const frames = await readAll(s.reader);
    const data = frames.map((f) => f.data);
    expect(data[0].choices[0].delta).toEqual({ role: "assistant", content: "", refusal: null });
    expect(data.slice(1, 4).map((d) => d.choices[0].delta.content)).toEqual(["Hel", "lo", "!"]);
    expect(data[4].choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(data[5]).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } });
    expect(data[6]).toBe("[DONE]");
    expect(data).toHaveLength(7);
    expect(new Set(data.slice(0, 6).map((d) => d.id))).toEqual(new Set(["chatcmpl-t1"]));

    expect(s.finisher.ok).toHaveBeenCalledTimes(1);
    const [result, acc] = s.finisher.ok.mock.calls[0] ?? [];
    expect(result).toBe(RESULT);
    expect(acc?.message().content).toBe("Hello!");
    expect(s.finisher.fail).not.toHaveBeenCalled();
    expect(s.calls).toEqual(["ok:start", "ok:end", "release"]);
    expect(s.run.cleanedUp).toBe(true);
    expect(s.abort.signal.aborted).toBe(false);
  });

  it("sends [DONE] only once finisher.ok has finished (the turn is stored before the client sees the end)", async () => {
    const gate = deferred();
    const s = await start([text("a")], RESULT, { okGate: gate.promise });
    for (let i = 0; i < 4; i++) await s.reader.read(); // role, "a", finish, usage
    const last = s.reader.read();
    let got = false;
    void last.then(() => {
      got = true;
    });
    await settle();
    expect(s.calls).toEqual(["ok:start"]);
    expect(got).toBe(false);
    gate.resolve();
    expect(frame((await last).value as Uint8Array).data).toBe("[DONE]");
    expect((await s.reader.read()).done).toBe(true);
    expect(s.calls).toEqual(["ok:start", "ok:end", "release"]);
  });

  it("client gone between events: aborts the run, stops the generator, fail(cancelled) once, nothing more written", async () => {
    const s = await start([text("a"), text("b"), text("c"), text("d")], RESULT);
    expect(frame((await s.reader.read()).value as Uint8Array).data.choices[0].delta.role).toBe("assistant");
    expect(frame((await s.reader.read()).value as Uint8Array).data.choices[0].delta.content).toBe("a");
    await settle();
    const added = s.format.add.mock.calls.length;
    await s.reader.cancel();
    await settle();

    expect(s.abort.signal.aborted).toBe(true);
    expect(s.abort.signal.reason).toBeInstanceOf(ClientCancelled);
    expect(s.run.cleanedUp).toBe(true);
    expect(s.run.pulled).toBeLessThan(4);
    expect(s.finisher.fail).toHaveBeenCalledTimes(1);
    expect(s.finisher.fail.mock.calls[0]?.[0]).toBeInstanceOf(ClientCancelled);
    expect(s.finisher.ok).not.toHaveBeenCalled();
    expect(s.format.add.mock.calls.length).toBe(added);
    expect(s.calls).toEqual(["fail:ClientCancelled", "release"]);
  });

  it("client gone while the run waits on its upstream: the abort ends the wait, fail(cancelled) once, release once", async () => {
    const s = await start([text("a"), text("b"), text("c")], RESULT, { hangAfter: 2 });
    for (let i = 0; i < 3; i++) await s.reader.read(); // role, "a", "b"; the pull for "c" now hangs
    await settle();
    expect(s.run.hanging).toBe(true);
    await s.reader.cancel();
    await settle();

    expect(s.abort.signal.reason).toBeInstanceOf(ClientCancelled);
    expect(s.run.cleanedUp).toBe(true);
    expect(s.finisher.fail).toHaveBeenCalledTimes(1);
    expect(s.finisher.fail.mock.calls[0]?.[0]).toBeInstanceOf(ClientCancelled);
    expect(s.format.add).toHaveBeenCalledTimes(2);
    expect(s.calls).toEqual(["fail:ClientCancelled", "release"]);
  });

  it("client gone while the finished turn is being stored: the turn stays ok, the lock is released after it", async () => {
    const gate = deferred();
    const s = await start([text("a")], RESULT, { okGate: gate.promise });
    for (let i = 0; i < 4; i++) await s.reader.read(); // role, "a", finish, usage; ok is now running
    await settle();
    expect(s.calls).toEqual(["ok:start"]);
    const cancelled = s.reader.cancel();
    await settle();
    expect(s.calls).toEqual(["ok:start"]); // not released while the turn is being stored
    gate.resolve();
    await cancelled;
    await settle();
    expect(s.abort.signal.aborted).toBe(false); // the run had ended: nothing to abort
    expect(s.finisher.fail).not.toHaveBeenCalled();
    expect(s.calls).toEqual(["ok:start", "ok:end", "release"]);
  });

  it("an error thrown mid-stream is sent as the format's error event, then the stream closes; fail once", async () => {
    const boom = new ApiError(502, "upstream broke", { code: "upstream_error" });
    const s = await start([text("a"), text("b")], boom);
    const frames = await readAll(s.reader);
    expect(frames.map((f) => f.data.choices?.[0]?.delta.content ?? null)).toEqual(["", "a", "b", null]);
    expect(frames[3]).toEqual({
      event: undefined,
      data: { error: { message: "upstream broke", type: "api_error", param: null, code: "upstream_error" } },
    });
    expect(s.finisher.fail).toHaveBeenCalledTimes(1);
    expect(s.finisher.fail.mock.calls[0]?.[0]).toBe(boom);
    expect(s.finisher.ok).not.toHaveBeenCalled();
    expect(s.calls).toEqual(["fail:ApiError", "release"]);
    expect(s.run.cleanedUp).toBe(true);
  });

  it("in the Responses format the mid-stream error is a response.failed event carrying the error", async () => {
    const request = parseResponsesRequest({ model: "m", input: "hi", stream: true });
    const format = counted(responsesFormat({ id: "resp_t1", createdAt: 1, request }));
    const s = await start([text("a")], new ApiError(502, "upstream broke"), { format });
    const frames = await readAll(s.reader);
    const last = frames.at(-1);
    expect(frames[0]?.event).toBe("response.created");
    expect(last?.event).toBe("response.failed");
    expect(last?.data).toMatchObject({
      type: "response.failed",
      response: { id: "resp_t1", status: "failed", error: { message: "upstream broke" } },
    });
    expect(s.calls).toEqual(["fail:ApiError", "release"]);
  });

  it("a timeout while nobody is pulling ends the run at once with the error event", async () => {
    const s = await start([text("a"), text("b"), text("c")], RESULT);
    await settle(); // nobody reads: no pull waiting
    s.abort.abort(new ApiError(504, "timed out", { code: "timeout" }));
    await settle();
    expect(s.calls).toEqual(["fail:ApiError", "release"]);
    expect(s.run.cleanedUp).toBe(true);
    const frames = await readAll(s.reader);
    expect(frames.at(-1)?.data).toEqual({
      error: { message: "timed out", type: "timeout_error", param: null, code: "timeout" },
    });
  });

  it("a timeout while a read is coming: the run is not pulled again, one error event, fail once", async () => {
    const s = await start([text("a"), text("b"), text("c")], RESULT);
    await settle();
    s.abort.abort(new ApiError(504, "timed out", { code: "timeout" }));
    const frames = await readAll(s.reader); // reads at once, while the run is being stopped
    expect(frames.filter((f) => f.data.error)).toHaveLength(1);
    expect(frames.at(-1)?.data.error?.code).toBe("timeout");
    expect(s.run.pulled).toBe(1);
    expect(s.calls).toEqual(["fail:ApiError", "release"]);
  });

  it("finisher.ok failing is sent as the error event and recorded by fail, once; release once", async () => {
    const s = await start([text("a")], RESULT);
    const broken = new ApiError(500, "could not store the turn", { code: "internal_error" });
    s.finisher.ok.mockImplementationOnce(async () => {
      s.calls.push("ok:start");
      throw broken;
    });
    const frames = await readAll(s.reader);
    expect(frames.map((f) => f.data)).not.toContain("[DONE]");
    expect(frames.at(-1)?.data).toEqual({ error: broken.toBody().error });
    expect(s.finisher.fail.mock.calls).toEqual([[broken]]);
    expect(s.calls).toEqual(["ok:start", "fail:ApiError", "release"]);
  });

  it("is pull-based: with nobody reading the run is not drained; it stays one event ahead of the reader", async () => {
    const events = Array.from({ length: 50 }, (_, i) => text(`t${i}`));
    const s = await start(events, RESULT);
    expect(s.run.pulled).toBe(1); // the first event, taken before the stream (as runChat does)
    await settle();
    // highWaterMark 1: the opening chunk fills the queue, so no pull until someone reads.
    expect(s.run.pulled).toBe(1);
    expect(s.format.add).not.toHaveBeenCalled();
    for (let read = 1; read <= 5; read++) {
      await s.reader.read();
      await settle();
      // `read` chunks read (the opening one and read-1 events), one more event queued.
      expect(s.run.pulled).toBe(read);
      expect(s.format.add).toHaveBeenCalledTimes(read);
    }
    await s.reader.cancel();
  });
});
