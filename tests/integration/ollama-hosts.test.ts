// Several Ollama hosts behind one gateway (OLLAMA_URL as a comma-separated list): routing by model,
// by models loaded and by requests in flight, sessions kept on their host, fail-over before the first
// byte, hosts that come back, every host down; /v1/models, embeddings, /health, /metrics and the
// console. Three fake Ollama servers stand for three GPU boxes; the tests run in order (they share the
// hosts' state, as a real gateway would).
import OpenAI from "openai";
import parsePrometheus from "parse-prometheus-text-format";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, type Reply, startFakeOllama } from "../fakes/ollama";
import { launch, shot } from "../helpers/browser";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";

const MODELS: string[][] = [
  ["shared:latest", "duo:latest", "pref:latest", "only1:latest"],
  ["shared:latest", "duo:latest", "pref:latest", "only2:latest", "qwen3:8b"],
  ["shared:latest", "pref:latest", "embedder:latest", "qwen3:8b"],
];
/** What /api/ps lists at the start: `duo` loaded on hosts 1 and 2, `pref` on host 3 only, `shared` everywhere. */
const LOADED: string[][] = [
  ["duo:latest", "shared:latest"],
  ["duo:latest", "shared:latest"],
  ["pref:latest", "shared:latest"],
];

let fakes: FakeOllama[] = [];
let gw: Gateway;
let names: string[] = [];
/** The host the session `sticky-1` moved to when its host went down. */
let moved: string | null = null;
/** Replies per model, the same on every host (a restarted host gets them too). */
const scripts = new Map<string, Reply>();

const slow = (n: number, delayMs: number): Reply => ({
  chunks: Array.from({ length: n }, (_, i) => `w${i} `),
  delayMs,
});

async function startHost(i: number, port?: number): Promise<FakeOllama> {
  const f = await startFakeOllama({ models: MODELS[i], loaded: [...(LOADED[i] ?? [])], port });
  f.script = (body) => scripts.get(body.model);
  fakes[i] = f;
  return f;
}

beforeAll(async () => {
  fakes = [];
  for (let i = 0; i < 3; i++) await startHost(i);
  names = fakes.map((f) => `127.0.0.1:${f.port}`);
  gw = await startGateway({ OLLAMA_URL: fakes.map((f) => f.url).join(","), MODELS_CACHE_MS: "60000" });
});
afterAll(async () => {
  await gw?.stop();
  for (const f of fakes) await f?.close().catch(() => {});
});

/** The chats each host got for a model. */
const chatsFor = (model: string) => fakes.map((f) => f.chats().filter((b) => b.model === model).length);

async function chat(model: string, opts: { sessionId?: string; text?: string } = {}) {
  const { data, response } = await gw
    .openai({ sessionId: opts.sessionId })
    .chat.completions.create({ model: `ollama/${model}`, messages: [{ role: "user", content: opts.text ?? "hi" }] })
    .withResponse();
  const id = response.headers.get("x-request-id") ?? "";
  const rec = await eventually(() => gw.records().find((r) => r.id === id));
  return { data, rec, host: rec.upstreamHost as string | null };
}

/** A streamed chat: whether a delta arrived before its end, and its error if it failed. */
async function streamed(model: string, client = gw.openai()) {
  const out = { deltas: 0, error: null as null | { status?: number; message: string } };
  try {
    const stream = await client.chat.completions.create({
      model: `ollama/${model}`,
      messages: [{ role: "user", content: "go" }],
      stream: true,
    });
    for await (const c of stream) if (c.choices[0]?.delta?.content) out.deltas++;
  } catch (e) {
    out.error = { status: (e as { status?: number }).status, message: String((e as Error).message) };
  }
  return out;
}

const health = async () => (await (await fetch(`${gw.url}/health`)).json()).ollama;

describe("routing by model", () => {
  it("a model only on host 2 goes there, and the record names the host", async () => {
    const { data, host, rec } = await chat("only2", { text: "where" });
    expect(data.choices[0]?.message.content).toBe("Echo: where");
    expect(chatsFor("only2")).toEqual([0, 1, 0]);
    expect(host).toBe(names[1]);
    expect(rec).toMatchObject({ status: "ok", provider: "ollama", model: "ollama/only2" });
    // a model no host has is 404 model_not_found, as with one host
    const e = await gw
      .openai()
      .chat.completions.create({ model: "ollama/nowhere", messages: [{ role: "user", content: "x" }] })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.code).toBe("model_not_found");
    expect(fakes.flatMap((f) => f.chats()).some((b) => b.model === "nowhere")).toBe(false);
  });

  it("load spreads over the hosts that have the model, by requests in flight", async () => {
    scripts.set("only1", slow(20, 100));
    scripts.set("duo", slow(20, 100));
    // Host 1 is busy with two long requests of a model only it has…
    const busy = [streamed("only1"), streamed("only1")];
    await eventually(() => fakes[0]?.inFlight === 2);
    // …so of three requests for `duo` (on hosts 1 and 2, loaded on both) two go to host 2 and one, once
    // both have two in flight, to host 1 (the one picked longer ago). Host 3 has no `duo`.
    const duo = await Promise.all([streamed("duo"), streamed("duo"), streamed("duo")]);
    await Promise.all(busy);
    expect(duo.every((d) => d.error === null && d.deltas === 20)).toBe(true);
    expect(chatsFor("duo")).toEqual([1, 2, 0]);
    expect(fakes[0]?.maxInFlight).toBe(3);
    expect(fakes[1]?.maxInFlight).toBe(2);
    const hosts = gw
      .records()
      .filter((r) => r.model === "ollama/duo")
      .map((r) => r.upstreamHost)
      .sort();
    expect(hosts).toEqual([names[0], names[1], names[1]].sort());
    scripts.clear();
  });

  it("a host that has the model loaded is preferred", async () => {
    // `pref` is on all three hosts and loaded (/api/ps) on host 3 only.
    for (let i = 0; i < 4; i++) expect((await chat("pref")).host).toBe(names[2]);
    expect(chatsFor("pref")).toEqual([0, 0, 4]);
    // without a difference in what is loaded, idle hosts take turns
    const turns = [];
    for (let i = 0; i < 3; i++) turns.push((await chat("shared")).host);
    expect(new Set(turns).size).toBe(3);
  });

  it("a session sticks to its host; requests without one take turns", async () => {
    // The session's first turn can only go to host 1; its later turns stay there while the other
    // requests for `shared` (on every host, loaded everywhere) go round.
    expect((await chat("only1", { sessionId: "sticky-1" })).host).toBe(names[0]);
    const others = new Set<string | null>();
    for (let i = 0; i < 3; i++) {
      expect((await chat("shared", { sessionId: "sticky-1", text: `turn ${i}` })).host).toBe(names[0]);
      others.add((await chat("shared")).host);
    }
    expect(others.size).toBeGreaterThanOrEqual(2);
    // the history was replayed to the same host each time
    const last = fakes[0]?.chats().find((b) => b.messages.at(-1)?.content === "turn 2");
    expect(last.messages.map((m: { content: string }) => m.content)).toEqual([
      "hi",
      "Echo: hi",
      "turn 0",
      "Echo: turn 0",
      "turn 1",
      "Echo: turn 1",
      "turn 2",
    ]);
  });

  it("/v1/models lists the union of the hosts' models, each once", async () => {
    const ids = (await gw.openai().models.list()).data.map((m) => m.id).filter((id) => id.startsWith("ollama/"));
    expect(ids.length).toBe(new Set(ids).size);
    const union = [...new Set(MODELS.flat())].map((m) => `ollama/${m}`).sort();
    expect([...ids].sort()).toEqual(union);
  });

  it("embeddings are routed to a host that has the model", async () => {
    const e = await gw
      .openai()
      .embeddings.create({ model: "ollama/embedder", input: "vector me", encoding_format: "float" });
    expect(e.data[0]?.embedding).toHaveLength(8);
    expect(fakes.map((f) => f.requests.filter((r) => r.path === "/api/embed").length)).toEqual([0, 0, 1]);
    const rec = await eventually(() => gw.records().find((r) => r.endpoint === "/v1/embeddings"));
    expect(rec).toMatchObject({ status: "ok", upstreamHost: names[2] });
  });
});

describe("fail-over", () => {
  it("one host is killed mid-load: no request that had not started streaming fails", async () => {
    scripts.set("shared", slow(8, 100));
    const runs: Promise<Awaited<ReturnType<typeof streamed>>>[] = [];
    // A steady stream of requests, spread over the three hosts…
    const feed = setInterval(() => runs.push(streamed("shared")), 40);
    await eventually(() => (fakes[0]?.inFlight ?? 0) >= 3, 10_000);
    // …host 1 dies while some of its answers are streaming and others have not sent a byte yet.
    await fakes[0]?.close();
    // the session of the previous test was on host 1: its next turn moves (and then stays)
    moved = (await chat("shared", { sessionId: "sticky-1", text: "moved" })).host;
    expect(moved).not.toBe(names[0]);
    await new Promise((r) => setTimeout(r, 1_000));
    clearInterval(feed);
    const results = await Promise.all(runs);
    const failed = results.filter((r) => r.error);
    // every failure is of a request that had already streamed part of its answer from host 1
    for (const f of failed) expect(f.deltas, JSON.stringify(f)).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    expect(results.filter((r) => !r.error).length).toBeGreaterThan(failed.length);
    const recs = gw.records().filter((r) => r.model === "ollama/shared" && r.stream === 1);
    for (const r of recs.filter((x) => x.status === "error")) {
      expect(r).toMatchObject({ upstreamHost: names[0], httpStatus: 502 });
    }
    const h = await health();
    expect(h.hosts[0]).toMatchObject({ name: names[0], state: "down" });
    expect(h.hosts[1]).toMatchObject({ state: "up" });
    // the session stays on its new host
    expect((await chat("shared", { sessionId: "sticky-1", text: "again" })).host).toBe(moved);
    scripts.clear();
  });

  it("a host that comes back is used again", async () => {
    const only1 = () =>
      gw
        .openai()
        .chat.completions.create({ model: "ollama/only1", messages: [{ role: "user", content: "back?" }] })
        .catch((e) => e);
    // down: its own model cannot be served, at once
    const down = await only1();
    expect(down.status).toBe(503);
    expect(down.code).toBe("upstream_unavailable");
    expect(down.message).toContain(names[0]);
    await startHost(0, Number(names[0]?.split(":")[1]));
    // probed with back-off until it answers, then used again
    await eventually(async () => (await health()).hosts[0].state === "up", 40_000);
    const back = await only1();
    expect(back.choices?.[0]?.message?.content).toBe("Echo: back?");
    expect(fakes[0]?.chats().length).toBe(1);
    // and it takes its turn for `shared` again
    const seen = new Set<string | null>();
    for (let i = 0; i < 3; i++) seen.add((await chat("shared")).host);
    expect(seen.has(names[0] ?? "")).toBe(true);
    // the session moved while host 1 was down, and stays on its new host
    expect((await chat("shared", { sessionId: "sticky-1", text: "stay" })).host).toBe(moved);
  });
});

describe("visible", () => {
  it("/health has ollama.hosts: state and models, the URL to the admin only", async () => {
    const h = await health();
    expect(h.reachable).toBe(true);
    expect(h.hosts).toHaveLength(3);
    for (const [i, host] of h.hosts.entries()) {
      expect(host).toMatchObject({ name: names[i], url: fakes[i]?.url, state: "up", in_flight: 0 });
      expect([...host.models].sort()).toEqual([...(MODELS[i] ?? [])].sort());
    }
    expect(h.hosts[2].loaded).toContain("pref:latest");
  });

  it("without the admin key, /health shows each host's name, state and models, but no URL", async () => {
    const locked = await startGateway({
      OLLAMA_URL: fakes.map((f) => f.url).join(","),
      CLAUDE_AUTH_KEY: "admin-hosts",
    });
    try {
      const anon = (await (await fetch(`${locked.url}/health`)).json()).ollama;
      expect(anon.hosts).toHaveLength(3);
      for (const [i, host] of anon.hosts.entries()) {
        expect(Object.keys(host).sort()).toEqual(["models", "name", "state"]);
        expect(host).toMatchObject({ name: names[i], state: "up" });
      }
      expect(JSON.stringify(anon)).not.toContain(fakes[0]!.url);
      const admin = await fetch(`${locked.url}/health`, { headers: { authorization: "Bearer admin-hosts" } });
      expect((await admin.json()).ollama.hosts[0].url).toBe(fakes[0]?.url);
    } finally {
      await locked.stop();
    }
  });

  it("/metrics labels the Ollama series by host", async () => {
    const families = parsePrometheus(await (await fetch(`${gw.url}/metrics`)).text());
    const family = (name: string) => families.find((f) => f.name === name)?.metrics ?? [];
    const requests = family("ccbridge_ollama_requests_total");
    const pref = requests.find((m: any) => m.labels.model === "ollama/pref" && m.labels.status === "ok");
    expect(pref).toMatchObject({ labels: { host: names[2] }, value: "4" });
    expect(requests.some((m: any) => m.labels.host === names[0] && m.labels.status === "error")).toBe(true);
    const up = family("ccbridge_ollama_host_up");
    expect(up.map((m: any) => `${m.labels.host}=${m.value}`).sort()).toEqual(names.map((n) => `${n}=1`).sort());
    const failures = family("ccbridge_ollama_host_failures_total");
    expect(Number(failures.find((m: any) => m.labels.host === names[0])?.value)).toBeGreaterThan(0);
    expect(family("ccbridge_ollama_host_requests_in_flight")).toHaveLength(3);
    expect(family("ccbridge_ollama_time_to_first_token_seconds").length).toBeGreaterThan(0);
  });

  describe("the console (headless Chromium)", () => {
    let browser: Browser;
    let page: Page;
    beforeAll(async () => {
      browser = await launch();
      page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      // host 3 goes down, so that the overview shows a host of each state
      await fakes[2]?.close();
      await gw
        .openai()
        .chat.completions.create({ model: "ollama/embedder", messages: [{ role: "user", content: "x" }] })
        .catch(() => {});
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("the overview shows the hosts: up or down, in flight, requests and errors in the period", async () => {
      const counts = names.map((n) => {
        const rows = gw.records().filter((r) => r.upstreamHost === n);
        return { requests: rows.length, errors: rows.filter((r) => r.status === "error").length };
      });
      await page.goto(`${gw.url}/dashboard`);
      const cards = page.getByTestId("ollama-host");
      await eventually(async () => (await cards.count()) === 3, 20_000);
      for (const [i, name] of names.entries()) {
        const card = page.locator(`[data-testid="ollama-host"][data-host="${name}"]`);
        expect(await card.getAttribute("data-state")).toBe(i === 2 ? "down" : "up");
        const text = await card.innerText();
        expect(text).toContain(name);
        expect(text).toMatch(new RegExp(`Requests\\s+${counts[i]?.requests}\\b`, "i"));
        expect(text).toMatch(new RegExp(`Errors\\s+${counts[i]?.errors}\\b`, "i"));
        expect(text).toMatch(/In flight\s+0\b/i);
      }
      expect(counts[0]?.errors).toBeGreaterThan(0);
      expect(await page.locator(`[data-host="${names[2]}"]`).innerText()).toMatch(/down since/);
      await page.getByLabel("Ollama hosts").scrollIntoViewIfNeeded();
      await shot(page, "ollama-hosts-overview-desktop");
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
      await phone.goto(`${gw.url}/dashboard`);
      await eventually(async () => (await phone.getByTestId("ollama-host").count()) === 3, 20_000);
      await shot(phone, "ollama-hosts-overview-phone");
      // every card fits the phone's width
      for (const box of await Promise.all((await phone.getByTestId("ollama-host").all()).map((c) => c.boundingBox()))) {
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
      }
      await phone.close();
    });

    it("the request log shows each request's host and filters by it", async () => {
      await page.goto(`${gw.url}/dashboard/requests`);
      await eventually(async () => (await page.getByTestId("request-row").count()) > 0, 20_000);
      await page.getByRole("combobox", { name: "Host" }).selectOption(names[2] ?? "");
      await eventually(async () => page.url().includes("host="), 10_000);
      const expected = gw.records().filter((r) => r.upstreamHost === names[2]).length;
      await eventually(async () => (await page.getByTestId("request-row").count()) === expected, 10_000);
      const hosts = await page.getByTestId("request-host").allInnerTexts();
      expect(new Set(hosts)).toEqual(new Set([names[2]]));
      await shot(page, "ollama-hosts-requests-desktop");
      await page.getByTestId("request-row").first().getByRole("link").first().click();
      await eventually(async () => (await page.locator("dt", { hasText: "Upstream host" }).count()) === 1, 10_000);
      expect(await page.locator("dd", { hasText: names[2] ?? "" }).count()).toBeGreaterThan(0);
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
      await phone.goto(`${gw.url}/dashboard/requests?host=${encodeURIComponent(names[2] ?? "")}`);
      await eventually(async () => (await phone.getByTestId("request-card").count()) === expected, 20_000);
      expect(await phone.getByTestId("request-card").first().innerText()).toContain(`on ${names[2]}`);
      await shot(phone, "ollama-hosts-requests-phone");
      await phone.close();
    });
  });

  it("all hosts down: 503 upstream_unavailable, with a record", async () => {
    for (const f of fakes) await f.close().catch(() => {});
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "ollama/shared", messages: [{ role: "user", content: "anyone?" }] }),
    });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "upstream_unavailable", type: "api_error" });
    for (const n of names) expect(body.error.message).toContain(n);
    const id = res.headers.get("x-request-id");
    const rec = await eventually(() => gw.records().find((r) => r.id === id));
    expect(rec).toMatchObject({ status: "error", httpStatus: 503, provider: "ollama", upstreamHost: null });
    // embeddings too
    const e = await gw
      .openai()
      .embeddings.create({ model: "ollama/embedder", input: "x" })
      .catch((x) => x);
    expect(e.status).toBe(503);
  });
});
