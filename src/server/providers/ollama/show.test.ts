import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../../../../tests/fakes/ollama";
import type { OllamaModel } from "./models";

// env() is read once: point OLLAMA_URL at the fake (and shorten MODELS_CACHE_MS) before loading.
let fake: FakeOllama;
let show: typeof import("./show");
const CACHE_MS = 400;
beforeAll(async () => {
  fake = await startFakeOllama({ models: ["qwen3:8b", "llama3.2:latest", "slow:1b", "broken:1b"] });
  process.env.OLLAMA_URL = fake.url;
  process.env.MODELS_CACHE_MS = String(CACHE_MS);
  show = await import("./show");
});
afterAll(() => fake?.close());

const model = (name: string, digest = "sha256:1"): OllamaModel => ({ name, modifiedAt: 0, digest, hostUrl: fake.url });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("contextWindowOf (an /api/show answer)", () => {
  it("takes <arch>.context_length, a num_ctx parameter when set (capped at that length), else null", () => {
    const info = { "general.architecture": "qwen3", "qwen3.context_length": 40960 };
    expect(show.contextWindowOf({ model_info: info, parameters: 'stop "<|im_end|>"' })).toBe(40960);
    expect(show.contextWindowOf({ model_info: info, parameters: "num_ctx                        8192\nstop x" })).toBe(
      8192,
    );
    expect(show.contextWindowOf({ model_info: info, parameters: "num_ctx 65536" })).toBe(40960);
    expect(show.contextWindowOf({ model_info: {}, parameters: "num_ctx 4096" })).toBe(4096);
    expect(show.contextWindowOf({ model_info: { "general.architecture": "llama" } })).toBeNull();
    expect(show.contextWindowOf({ model_info: { "general.architecture": "x", "x.context_length": "big" } })).toBeNull();
    expect(show.contextWindowOf({})).toBeNull();
  });
});

describe("contextWindows (cached /api/show, within a deadline)", () => {
  it("asks once per model version, then answers from the cache; a new digest asks again", async () => {
    fake.show["qwen3:8b"] = { arch: "qwen3", contextLength: 40960, numCtx: 16384 };
    const first = await show.contextWindows([model("qwen3:8b"), model("llama3.2:latest")], Date.now() + 2000);
    expect(first).toEqual(
      new Map([
        ["qwen3:8b", 16384],
        ["llama3.2:latest", 131072],
      ]),
    );
    expect(fake.shows().sort()).toEqual(["llama3.2:latest", "qwen3:8b"]);
    await show.contextWindows([model("qwen3:8b"), model("llama3.2:latest")], Date.now() + 2000);
    expect(fake.shows()).toHaveLength(2);
    fake.show["qwen3:8b"] = { arch: "qwen3", contextLength: 40960 };
    const repulled = await show.contextWindows([model("qwen3:8b", "sha256:2")], Date.now() + 2000);
    expect(repulled.get("qwen3:8b")).toBe(40960);
    expect(fake.shows()).toHaveLength(3);
  });

  it("waits for a slow /api/show only until the deadline; its late answer serves the next call", async () => {
    fake.show["slow:1b"] = { contextLength: 8192, delayMs: 1500 };
    const t0 = Date.now();
    const first = await show.contextWindows([model("slow:1b"), model("qwen3:8b", "sha256:2")], t0 + 300);
    const waited = Date.now() - t0;
    expect(first.get("slow:1b")).toBeNull(); // given up at the deadline, before the answer came
    expect(first.get("qwen3:8b")).toBe(40960); // cached: still answered
    expect(waited).toBeGreaterThanOrEqual(250); // a fresh question is waited on, up to the deadline
    // still in flight: not asked again, and not waited on again (else its answer would be here)
    const second = await show.contextWindows([model("slow:1b")], Date.now() + 2000);
    expect(second.get("slow:1b")).toBeNull();
    expect(fake.shows().filter((n) => n === "slow:1b")).toHaveLength(1);
    await sleep(1500);
    const third = await show.contextWindows([model("slow:1b")], Date.now() + 2000);
    expect(third.get("slow:1b")).toBe(8192);
    expect(fake.shows().filter((n) => n === "slow:1b")).toHaveLength(1);
  });

  it("a failure (an error status, an unknown model) is null, kept for MODELS_CACHE_MS, then asked again", async () => {
    fake.show["broken:1b"] = { httpError: { status: 500, message: "boom" } };
    const broken = () => fake.shows().filter((n) => n === "broken:1b" || n === "gone:1b").length;
    const first = await show.contextWindows([model("broken:1b"), model("gone:1b")], Date.now() + 2000);
    expect(first).toEqual(
      new Map([
        ["broken:1b", null],
        ["gone:1b", null],
      ]),
    );
    expect(broken()).toBe(2);
    await show.contextWindows([model("broken:1b"), model("gone:1b")], Date.now() + 2000);
    expect(broken()).toBe(2);
    await sleep(CACHE_MS + 50);
    fake.show["broken:1b"] = { contextLength: 2048 };
    const later = await show.contextWindows([model("broken:1b")], Date.now() + 2000);
    expect(later.get("broken:1b")).toBe(2048);
    expect(broken()).toBe(3);
  });
});
