import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fmtCost, fmtInt, fmtMs } from "../../src/components/format";
import { systemText } from "../fakes/anthropic";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { launch, shot } from "../helpers/browser";
import { type ClaudeSetup, startClaudeGateway, turnPids } from "../helpers/claude";
import { eventually, startGateway } from "../helpers/gateway";
import { seedContent, seedRequests, seedSession } from "../helpers/seed";

let ollama: FakeOllama;
let c: ClaudeSetup;
let browser: Browser;
let page: Page;

const CLIPPED_PROMPT = '[{"role":"user","content":"Plan a long walk along the river Thames from its source to';
const BULK = 45;

beforeAll(async () => {
  ollama = await startFakeOllama();
  c = await startClaudeGateway({ OLLAMA_URL: ollama.url });
  // Last 24 h: 13 requests (3 in the last hour), 2 errors, 1 cancelled; 5 from 3 days ago; BULK from 10 days ago.
  seedRequests(c.gw.dbPath, [
    ...Array.from({ length: 7 }, (_, i) => ({
      id: `seed-a${i}`,
      minutesAgo: 90 + i * 60,
      model: "ollama/qwen3:8b",
      provider: "ollama",
      promptTokens: 100,
      completionTokens: 50,
      durationMs: 800,
      ttftMs: 150,
    })),
    ...Array.from({ length: 3 }, (_, i) => ({
      id: `seed-b${i}`,
      minutesAgo: 5 + i,
      model: "sonnet",
      provider: "claude-code",
      promptTokens: 1000,
      completionTokens: 200,
      cachedTokens: 400,
      costUsd: 0.25,
      durationMs: 4000,
      ttftMs: 900,
      sessionId: "seeded-session",
    })),
    {
      id: "seed-e1",
      minutesAgo: 120,
      model: "sonnet",
      provider: "claude-code",
      status: "error",
      httpStatus: 503,
      errorMessage: "Claude is overloaded (seeded)",
      ttftMs: null,
    },
    {
      id: "seed-e2",
      minutesAgo: 200,
      model: "ollama/qwen3:8b",
      provider: "ollama",
      status: "error",
      httpStatus: 502,
      errorMessage: "Ollama failed (seeded)",
      ttftMs: null,
    },
    {
      id: "seed-c1",
      minutesAgo: 100,
      model: "ollama/qwen3:8b",
      provider: "ollama",
      status: "cancelled",
      durationMs: 300,
      ttftMs: null,
    },
    ...Array.from({ length: 5 }, (_, i) => ({
      id: `seed-old${i}`,
      minutesAgo: 3 * 24 * 60 + i,
      model: "opus",
      provider: "claude-code",
    })),
    ...Array.from({ length: BULK }, (_, i) => ({
      id: `seed-bulk${String(i).padStart(2, "0")}`,
      minutesAgo: 10 * 24 * 60 + i,
      model: "haiku",
      provider: "claude-code",
    })),
  ]);
  seedContent(c.gw.dbPath, "seed-b0", CLIPPED_PROMPT, "Start at Kemble and follow the Thames Path.");
  seedContent(
    c.gw.dbPath,
    "seed-b1",
    JSON.stringify([{ role: "user", content: "Name a shade-loving herb." }]),
    "Mint grows well in shade.",
  );
  seedSession(c.gw.dbPath, {
    id: "seeded-session",
    provider: "claude-code",
    model: "sonnet",
    title: "Plan the garden",
    turns: [
      ["Which vegetables grow in shade?", "Lettuce, spinach and kale tolerate shade."],
      ["And herbs?", "Mint and parsley do well."],
    ],
  });
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
  await ollama?.close();
});

const ALL = 13 + 5 + BULK;
const cardValue = (id: string, p: Page = page) => p.getByTestId(`card-${id}-value`).innerText();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** expect.poll with room for a loaded machine (2 cores shared): vitest's default gives up after 1 s. */
const poll = <T>(fn: () => T | Promise<T>, opts: { timeout?: number; interval?: number } = {}) =>
  expect.poll(fn, { timeout: 15_000, interval: 100, ...opts });

/** A tRPC query answered by the gateway over HTTP (what the page itself fetches). */
async function trpcQuery(path: string, input: unknown) {
  const url = `${c.gw.url}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const body = await (await fetch(url)).json();
  return body.result.data.json;
}

/** Counts the page's tRPC calls of one procedure (batched calls name every procedure in the path). */
function countCalls(p: Page, procedure: string) {
  const counter = { n: 0 };
  p.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/trpc/") && u.pathname.slice(10).split(",").includes(procedure)) counter.n++;
  });
  return counter;
}

describe("console overview (headless Chromium)", () => {
  it("all seven cards show the seeded figures, and the range changes them", async () => {
    await page.goto(`${c.gw.url}/dashboard`);
    await poll(() => cardValue("requests")).toBe("13");
    expect(await cardValue("errors")).toBe("15.4%"); // 2 of 13
    expect(await cardValue("tokens")).toBe("4.7K"); // 3,730 in + 965 out
    expect(await page.getByTestId("card-tokens").innerText()).toContain("3.7K in · 965 out");
    expect(await cardValue("cost")).toBe("$0.75");
    expect(await cardValue("p50")).toBe("800 ms"); // rank 6 of 12 (7×800, 2×1000, 3×4000)
    expect(await cardValue("p95")).toBe("4.00 s");
    expect(await cardValue("ttft")).toBe("150 ms"); // rank 5 of 10 (7×150, 3×900)
    expect(await page.getByTestId("latest-errors").innerText()).toContain("Claude is overloaded (seeded)");
    await page.getByText("1 h", { exact: true }).click();
    await poll(() => cardValue("requests")).toBe("3");
    await page.getByText("All", { exact: true }).click();
    await poll(() => cardValue("requests")).toBe(String(ALL));
    await page.getByText("24 h", { exact: true }).click();
    await poll(() => cardValue("requests")).toBe("13");
  });

  it("the per-model table shows exactly the figures of GET /v1/usage", async () => {
    await page.goto(`${c.gw.url}/dashboard`);
    const rows = page.getByTestId("model-row");
    await poll(() => rows.count()).toBe(2);
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const usage = await (await fetch(`${c.gw.url}/v1/usage?since=${since}`)).json();
    expect(usage).toHaveLength(2);
    for (const u of usage) {
      const row = rows.filter({ has: page.locator(`[data-col=model]`, { hasText: u.model }) });
      expect(await row.count()).toBe(1);
      const cell = (k: string) => row.locator(`[data-col=${k}]`).innerText();
      expect(await cell("provider")).toBe(u.provider);
      for (const k of [
        "requests",
        "errors",
        "cancelled",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "cached_tokens",
      ]) {
        expect(await cell(k), `${u.model} ${k}`).toBe(fmtInt(u[k]));
      }
      expect(await cell("cost_usd")).toBe(fmtCost(u.cost_usd));
      expect(await cell("avg_duration_ms")).toBe(fmtMs(u.avg_duration_ms));
    }
    const sonnet = usage.find((u: { model: string }) => u.model === "sonnet");
    expect(sonnet).toMatchObject({ requests: 4, errors: 1, cached_tokens: 1200, cost_usd: 0.75 });
    const qwen = usage.find((u: { model: string }) => u.model === "ollama/qwen3:8b");
    expect(qwen).toMatchObject({ requests: 9, cancelled: 1, cost_usd: null });
  });

  it("the charts draw one bar per provider and bucket, and a latency line per provider", async () => {
    await page.goto(`${c.gw.url}/dashboard`);
    await poll(() => cardValue("requests")).toBe("13");
    const series = await trpcQuery("usage.timeSeries", { range: "24h" });
    const pairs = series.points.length;
    expect(pairs).toBeGreaterThanOrEqual(8);
    const bars = (id: string) =>
      page.$$eval(
        `[data-testid=${id}] .recharts-bar-rectangle path`,
        (els) => els.filter((e) => e.getBoundingClientRect().height > 0.5).length,
      );
    await poll(() => bars("chart-requests")).toBe(pairs);
    expect(await bars("chart-tokens")).toBe(pairs);
    const latency = page.getByTestId("chart-latency");
    expect(await latency.locator(".recharts-line-curve").count()).toBe(2);
    expect(await latency.locator(".recharts-line-dots circle, .recharts-line-dot").count()).toBe(pairs);
    expect(await page.getByTestId("chart-requests").innerText()).not.toContain("No requests in this range.");
  });

  it("shows loading, not 'no data', while loading, and keeps the previous range until the next arrives", async () => {
    const p = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    let delay = 1_500;
    await p.route("**/api/trpc/**", async (route) => {
      await sleep(delay);
      await route.continue().catch(() => {});
    });
    try {
      await p.goto(`${c.gw.url}/dashboard`);
      const table = p.getByTestId("model-table");
      await poll(() => table.innerText()).toContain("Loading…");
      expect(await table.innerText()).not.toContain("No requests in this range.");
      expect(await p.getByTestId("latest-errors").innerText()).not.toContain("No errors in this range.");
      expect(await p.getByTestId("chart-requests").innerText()).toContain("Loading…");
      await poll(() => cardValue("requests", p), { timeout: 15_000 }).toBe("13");
      delay = 3_000;
      await p.getByText("1 h", { exact: true }).click();
      // While the hour loads, the 24 h figures stay (qwen had no request in the last hour).
      await poll(() => p.getByTestId("updating").innerText()).toBe("Updating…");
      expect(await table.innerText()).toContain("ollama/qwen3:8b");
      expect(await table.innerText()).not.toContain("Loading…");
      await poll(() => cardValue("requests", p), { timeout: 15_000 }).toBe("3");
      await poll(() => table.innerText()).not.toContain("ollama/qwen3:8b");
    } finally {
      await p.close();
    }
  });

  it("refreshes every 30 s, and not once the switch is off", async () => {
    const p = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    try {
      await p.clock.install();
      const sent = countCalls(p, "usage.summary");
      const answered = { n: 0 };
      p.on("requestfinished", (r) => {
        if (new URL(r.url()).pathname.includes("usage.summary")) answered.n++;
      });
      await p.goto(`${c.gw.url}/dashboard`);
      await poll(() => cardValue("requests", p)).toBe("13");
      // Each refetch restarts the 30 s interval when its answer arrives: wait for it before moving on.
      for (let i = 0; i < 2; i++) {
        await poll(() => answered.n).toBe(sent.n);
        const before = sent.n;
        await p.clock.runFor(31_000);
        await poll(() => sent.n).toBeGreaterThan(before);
      }
      await poll(() => answered.n).toBe(sent.n);
      await p.getByLabel("Refresh every 30 s").uncheck();
      await sleep(500);
      const off = sent.n;
      await p.clock.runFor(95_000);
      await sleep(1_500);
      expect(sent.n).toBe(off);
      await p.getByLabel("Refresh every 30 s").check();
      await p.clock.runFor(31_000);
      await poll(() => sent.n).toBeGreaterThan(off);
    } finally {
      await p.close();
    }
  });
});

describe("console requests and sessions (headless Chromium)", () => {
  it("pages with Load more: no duplicate rows, the right total", async () => {
    await page.goto(`${c.gw.url}/dashboard/requests`);
    const rows = page.getByTestId("request-row");
    await poll(() => rows.count()).toBe(50);
    await page.getByRole("button", { name: "Load more" }).click();
    await poll(() => rows.count()).toBe(ALL);
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    expect(new Set(ids).size).toBe(ALL);
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);
  });

  it("all five filters work in the browser, and '← Requests' keeps them", async () => {
    await page.goto(`${c.gw.url}/dashboard/requests`);
    const rows = page.getByTestId("request-row");
    await poll(() => rows.count()).toBe(50);
    const ids = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")).sort());
    await page.getByLabel("Provider").selectOption("ollama");
    await poll(() => rows.count()).toBe(9);
    await page.getByLabel("Status").selectOption("cancelled");
    await poll(ids).toEqual(["seed-c1"]);
    await page.getByLabel("Provider").selectOption("");
    await page.getByLabel("Status").selectOption("");
    await page.getByLabel("Time").selectOption("1h");
    await poll(ids).toEqual(["seed-b0", "seed-b1", "seed-b2"]);
    await page.getByLabel("Time").selectOption("all");
    await poll(() => rows.count()).toBe(50);
    const calls = countCalls(page, "requests.list");
    await page.getByLabel("Session").pressSequentially("seeded-session", { delay: 20 });
    await poll(() => rows.count()).toBe(3);
    expect(calls.n).toBeLessThanOrEqual(3); // debounced: not one query per key
    await page.getByLabel("Session").fill("");
    await poll(() => rows.count()).toBe(50);
    await page.getByLabel("Model").selectOption("sonnet");
    await poll(() => rows.count()).toBe(4);
    await page.getByLabel("Status").selectOption("error");
    await poll(ids).toEqual(["seed-e1"]);
    expect(page.url()).toContain("model=sonnet");
    await shot(page, "requests-filtered");
    await rows.first().getByRole("link").first().click();
    await poll(() => page.locator("h1").innerText()).toBe("seed-e1");
    expect(await page.getByLabel("Error").innerText()).toContain("Claude is overloaded (seeded)");
    await page.getByRole("link", { name: "← Requests" }).click();
    await poll(() => page.url()).toMatch(/\/dashboard\/requests\?/);
    expect(page.url()).toContain("model=sonnet");
    expect(page.url()).toContain("status=error");
    await poll(ids).toEqual(["seed-e1"]);
  });

  it("a request's stored prompt and answer show, a clipped prompt as text", async () => {
    await page.goto(`${c.gw.url}/dashboard/requests/seed-b0`);
    await poll(() => page.getByTestId("raw-prompt").innerText()).toBe(CLIPPED_PROMPT);
    expect(await page.locator("article").innerText()).toContain("Start at Kemble and follow the Thames Path.");
    await page.goto(`${c.gw.url}/dashboard/requests/seed-b1`);
    await poll(() => page.locator("article").innerText()).toContain("Name a shade-loving herb.");
    expect(await page.locator("article").innerText()).toContain("Mint grows well in shade.");
    expect(await page.getByTestId("raw-prompt").count()).toBe(0);
  });

  it("an unknown request shows its error at once: a 404 is not retried", async () => {
    const calls = countCalls(page, "requests.detail");
    await page.goto(`${c.gw.url}/dashboard/requests/no-such-request`);
    await poll(() => page.getByText("No request no-such-request.").count()).toBe(1);
    await sleep(2_500);
    expect(calls.n).toBe(1);
  });

  it("a session transcript opens turn by turn and continues in the playground", async () => {
    await page.goto(`${c.gw.url}/dashboard/sessions`);
    await page.getByRole("link", { name: "Plan the garden" }).click();
    await poll(() => page.getByTestId("turn").count()).toBe(2);
    const text = await page.locator("article").innerText();
    expect(text).toContain("Which vegetables grow in shade?");
    expect(text).toContain("Mint and parsley do well.");
    await page.getByRole("link", { name: "Continue in playground" }).click();
    await poll(() => page.url()).toContain("/dashboard/playground?session=seeded-session");
    await poll(() => page.getByTestId("message").count()).toBe(4);
  });
});

describe("console playground (headless Chromium)", () => {
  it("streams an answer from Ollama and from Claude Code, with figures", async () => {
    ollama.script = () => ({ chunks: ["Leaves ", "are ", "green ", "because ", "of ", "chlorophyll."], delayMs: 600 });
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await poll(() => page.getByTestId("empty-hint").count()).toBe(1);
    expect(await page.getByTestId("ollama-down").count()).toBe(0);
    await page.getByLabel("Model", { exact: true }).selectOption("ollama/qwen3:8b");
    await page.getByLabel("Message").fill("Why are leaves green?");
    await page.getByRole("button", { name: "Send" }).click();
    const reply = page.getByTestId("reply-text").last();
    await poll(() => reply.innerText()).toContain("Leaves");
    expect(await reply.innerText()).not.toContain("chlorophyll"); // still streaming
    await poll(() => reply.innerText()).toBe("Leaves are green because of chlorophyll.");
    await poll(() => page.getByTestId("fig-tokens").last().innerText()).toMatch(/→ 6$/);
    expect(await page.getByTestId("fig-toks").last().innerText()).toMatch(/^\d+(\.\d)?$/);
    ollama.script = () => undefined;

    await page.getByRole("button", { name: "New conversation" }).click();
    await page.getByLabel("Model", { exact: true }).selectOption("claude-code");
    await page.getByLabel("Message").fill("hello claude");
    await page.getByRole("button", { name: "Send" }).click();
    await poll(() => page.getByTestId("reply-text").last().innerText(), { timeout: 15_000 }).toBe("Echo: hello claude");
    await poll(() => page.getByTestId("fig-cost").last().innerText()).toMatch(/^\$/);
  });

  it("sends the system prompt to the upstream (Ollama and Claude Code)", async () => {
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("System prompt").fill("Answer like a pirate.");
    await page.getByLabel("Model", { exact: true }).selectOption("ollama/qwen3:8b");
    await page.getByLabel("Message").fill("ahoy ollama");
    await page.getByRole("button", { name: "Send" }).click();
    await poll(() => page.getByTestId("reply-text").last().innerText()).toBe("Echo: ahoy ollama");
    const chat = ollama.chats().at(-1);
    expect(chat.messages[0]).toMatchObject({ role: "system", content: "Answer like a pirate." });
    await page.getByRole("button", { name: "New conversation" }).click();
    await page.getByLabel("Model", { exact: true }).selectOption("claude-code");
    await page.getByLabel("Message").fill("ahoy claude");
    await page.getByRole("button", { name: "Send" }).click();
    await poll(() => page.getByTestId("reply-text").last().innerText(), { timeout: 15_000 }).toBe("Echo: ahoy claude");
    expect(systemText(c.fake.mainRequests().at(-1)?.body)).toContain("Answer like a pirate.");
  });

  it("continues a session: the transcript grows and the upstream gets the history", async () => {
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("Model", { exact: true }).selectOption("ollama/qwen3:8b");
    await page.getByLabel(/^Session/).check();
    const id = (await page.locator("label", { hasText: "Session" }).locator(".font-mono").innerText()).trim();
    expect(id).toMatch(/^pg-/);
    await page.getByLabel("Message").fill("first turn");
    await page.getByRole("button", { name: "Send" }).click();
    await poll(() => page.getByTestId("reply-text").last().innerText()).toBe("Echo: first turn");
    await page.goto(`${c.gw.url}/dashboard/sessions/${id}`);
    await poll(() => page.getByTestId("turn").count()).toBe(1);
    await page.getByRole("link", { name: "Continue in playground" }).click();
    await poll(() => page.getByTestId("message").count()).toBe(2);
    await page.getByLabel("Message").fill("second turn");
    await page.getByRole("button", { name: "Send" }).click();
    await poll(() => page.getByTestId("reply-text").last().innerText()).toBe("Echo: second turn");
    const sent = ollama
      .chats()
      .at(-1)
      .messages.map((m: { content: string }) => m.content);
    expect(sent).toEqual(["first turn", "Echo: first turn", "second turn"]);
    await page.goto(`${c.gw.url}/dashboard/sessions/${id}`);
    await poll(() => page.getByTestId("turn").count()).toBe(2);
    expect(await page.locator("article").innerText()).toContain("second turn");
  });

  it("Stop really cancels an Ollama run", async () => {
    ollama.script = () => ({ chunks: Array.from({ length: 40 }, (_, i) => `w${i} `), delayMs: 200 });
    const abortedBefore = ollama.aborted;
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("Model", { exact: true }).selectOption("ollama/qwen3:8b");
    await page.getByLabel("Message").fill("count for a long time");
    await page.getByRole("button", { name: "Send" }).click();
    await poll(() => page.getByTestId("reply-text").last().innerText()).toContain("w2");
    await page.getByRole("button", { name: "Stop" }).click();
    await poll(() => page.getByTestId("figures").last().innerText()).toContain("stopped");
    await eventually(() => ollama.aborted > abortedBefore);
    await eventually(() => c.gw.records().find((r) => r.status === "cancelled" && r.model === "ollama/qwen3:8b"));
    ollama.script = () => undefined;
  });

  it("Stop really cancels a Claude Code run (the claude process ends)", async () => {
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("Model", { exact: true }).selectOption("claude-code");
    const words = Array.from({ length: 30 }, (_, i) => `c${i}`).join(" ");
    await page.getByLabel("Message").fill(`[[fake:slow=400]] ${words}`);
    await page.getByRole("button", { name: "Send" }).click();
    await poll(() => page.getByTestId("reply-text").last().innerText(), { timeout: 20_000 }).toContain("c1");
    await page.getByRole("button", { name: "Stop" }).click();
    await poll(() => page.getByTestId("figures").last().innerText()).toContain("stopped");
    expect(await page.getByTestId("reply-text").last().innerText()).not.toContain("c29");
    await eventually(
      () => c.gw.records().find((r) => r.status === "cancelled" && r.provider === "claude-code"),
      15_000,
    );
    await eventually(async () => (await turnPids(c)).length === 0, 15_000);
  });

  it("compare mode streams two models at the same time", async () => {
    const words = Array.from({ length: 12 }, (_, i) => `p${i}`);
    ollama.script = () => ({ chunks: words.map((w) => `${w} `), delayMs: 500 });
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("Compare models").check();
    await poll(() => page.getByTestId("panel").count()).toBe(2);
    const selects = page.getByTestId("panel").locator("select");
    await selects.nth(0).selectOption("claude-code");
    await selects.nth(1).selectOption("ollama/qwen3:8b");
    await page.getByLabel("Message").fill(`[[fake:slow=500]] ${words.join(" ")}`);
    await page.getByRole("button", { name: "Send" }).click();
    const replies = page.getByTestId("reply-text");
    // Both show partial text while neither has finished (no figures yet): they stream concurrently.
    await poll(
      async () => {
        const [a, b, done] = await Promise.all([
          replies.nth(0).innerText(),
          replies.nth(1).innerText(),
          page.getByTestId("figures").count(),
        ]);
        return a.length > 0 && b.length > 0 && done === 0;
      },
      { timeout: 20_000, interval: 100 },
    ).toBe(true);
    await shot(page, "playground-compare-streaming");
    await poll(() => page.getByTestId("figures").count(), { timeout: 30_000 }).toBe(2);
    expect(await replies.nth(0).innerText()).toBe(`Echo: ${words.join(" ")}`);
    expect((await replies.nth(1).innerText()).trim()).toBe(words.join(" "));
    ollama.script = () => undefined;
  });

  it("says so when Ollama is down", async () => {
    const down = await startGateway({ OLLAMA_URL: "http://127.0.0.1:9" });
    const p = await browser.newPage();
    try {
      await p.goto(`${down.url}/dashboard/playground`);
      await poll(() => p.getByTestId("ollama-down").count(), { timeout: 10_000 }).toBe(1);
      expect(await p.getByTestId("ollama-down").innerText()).toContain("http://127.0.0.1:9");
    } finally {
      await p.close();
      await down.stop();
    }
  });
});

describe("console screenshots (desktop and 390 px phone)", () => {
  const pages: Array<[string, string, (p: Page) => Promise<unknown>]> = [
    ["overview", "/dashboard", (p) => poll(() => cardValue("requests", p)).toMatch(/^\d+$/)],
    ["requests", "/dashboard/requests", (p) => p.getByText("haiku").filter({ visible: true }).first().waitFor()],
    ["request-detail", "/dashboard/requests/seed-b0", (p) => p.getByTestId("raw-prompt").waitFor()],
    [
      "sessions",
      "/dashboard/sessions",
      (p) => p.getByText("Plan the garden").filter({ visible: true }).first().waitFor(),
    ],
    ["session-transcript", "/dashboard/sessions/seeded-session", (p) => p.getByTestId("turn").first().waitFor()],
    ["playground", "/dashboard/playground", (p) => p.getByTestId("panel").waitFor()],
  ];
  for (const [name, width] of [
    ["desktop", 1366],
    ["phone", 390],
  ] as const) {
    it(`every page at ${name} width`, async () => {
      const p = await browser.newPage({ viewport: { width, height: name === "phone" ? 844 : 900 } });
      try {
        for (const [shotName, path, ready] of pages) {
          await p.goto(`${c.gw.url}${path}`);
          await ready(p);
          await p.waitForLoadState("networkidle");
          await shot(p, `${shotName}-${name}`);
        }
        if (name === "phone") {
          // Phones get stacked request cards with the status visible, not a table scrolled sideways.
          await p.goto(`${c.gw.url}/dashboard/requests`);
          await poll(() => p.getByTestId("request-card").count()).toBe(50);
          expect(await p.getByTestId("request-table").isVisible()).toBe(false);
          expect(
            await p
              .getByTestId("request-card")
              .first()
              .getByText(/^(ok|error|cancelled)/)
              .isVisible(),
          ).toBe(true);
          const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow).toBeLessThanOrEqual(0);
          await p.goto(`${c.gw.url}/dashboard`);
          await poll(() => p.getByTestId("model-card").count()).toBeGreaterThanOrEqual(2);
          expect(await p.getByTestId("model-table").isVisible()).toBe(false);
          await p.goto(`${c.gw.url}/dashboard/sessions`);
          await poll(() => p.getByTestId("session-card").count()).toBeGreaterThanOrEqual(1);
          expect(await p.getByTestId("session-table").isVisible()).toBe(false);
        }
      } finally {
        await p.close();
      }
    });
  }
});

describe("console login", () => {
  it("asks for the key, refuses a wrong one, returns to the page asked for, logs out", async () => {
    const locked = await startGateway({ CLAUDE_AUTH_KEY: "e2e-key" });
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    try {
      await p.goto(`${locked.url}/dashboard/requests?status=error`);
      await poll(() => p.url()).toContain("/login?next=");
      expect(decodeURIComponent(p.url())).toContain("next=/dashboard/requests?status=error");
      await shot(p, "login-desktop");
      await p.setViewportSize({ width: 390, height: 844 });
      await shot(p, "login-phone");
      await p.setViewportSize({ width: 1280, height: 800 });
      await p.getByLabel("Key").fill("wrong");
      await p.getByRole("button", { name: "Sign in" }).click();
      await poll(() => p.getByText("That key is not right.").count()).toBe(1);
      await p.getByLabel("Key").fill("e2e-key");
      await p.getByRole("button", { name: "Sign in" }).click();
      await poll(() => p.url()).toBe(`${locked.url}/dashboard/requests?status=error`);
      await poll(() => p.getByRole("heading", { name: "Requests" }).count()).toBe(1);
      const cookie = (await ctx.cookies()).find((k) => k.name === "ccb_console");
      expect(cookie?.value).toMatch(/^v2\.\d+\.\d+\./);
      expect(cookie?.value).not.toContain("e2e-key");

      // A login that expired or was cleared: a page asks again, with its path and query as `next`…
      await p.goto("about:blank"); // no console page left running to react to the lost login itself
      await ctx.clearCookies();
      await p.goto(`${locked.url}/dashboard/requests?status=ok`);
      await poll(() => p.url(), { timeout: 10_000 }).toContain("/login?next=");
      expect(decodeURIComponent(p.url())).toContain("next=/dashboard/requests?status=ok");
      // …and so does a tRPC call that gets a 401 without any navigation (a range change on the overview).
      await p.getByLabel("Key").fill("e2e-key");
      await p.getByRole("button", { name: "Sign in" }).click();
      await poll(() => p.url()).toBe(`${locked.url}/dashboard/requests?status=ok`);
      await p.getByRole("link", { name: "Overview" }).click();
      await poll(() => p.getByTestId("card-requests-value").innerText()).toBe("0");
      await ctx.clearCookies();
      await p.getByText("7 d", { exact: true }).click();
      await poll(() => p.url(), { timeout: 10_000 }).toBe(`${locked.url}/login?next=%2Fdashboard`);

      // A forged cookie with a pushed-out expiry is refused.
      const [v, iat, , mac] = (cookie?.value ?? "").split(".");
      await ctx.addCookies([
        { name: "ccb_console", value: `${v}.${iat}.9999999999999.${mac}`, url: locked.url, httpOnly: true },
      ]);
      await p.goto(`${locked.url}/dashboard`);
      await poll(() => p.url()).toContain("/login");

      await ctx.clearCookies();
      await p.getByLabel("Key").fill("e2e-key");
      await p.getByRole("button", { name: "Sign in" }).click();
      await poll(() => p.url()).toBe(`${locked.url}/dashboard`);
      await poll(() => p.getByTestId("card-requests-value").innerText()).toBe("0");
      await p.getByRole("button", { name: "Log out" }).click();
      await poll(() => p.url()).toContain("/login");
      await p.goto(`${locked.url}/dashboard`);
      await poll(() => p.url()).toContain("/login");
    } finally {
      await ctx.close();
      await locked.stop();
    }
  });

  it("never redirects off the console after a login (open redirect)", async () => {
    const locked = await startGateway({ CLAUDE_AUTH_KEY: "e2e-key" });
    try {
      for (const next of ["https://evil.example/", "//evil.example/dashboard", "/api/trpc", "/dashboard//evil"]) {
        const res = await fetch(`${locked.url}/auth/login`, {
          method: "POST",
          body: new URLSearchParams({ key: "e2e-key", next }),
          redirect: "manual",
        });
        expect(res.status).toBe(303);
        expect(res.headers.get("location"), next).toBe("/dashboard");
      }
      const ok = await fetch(`${locked.url}/auth/login`, {
        method: "POST",
        body: new URLSearchParams({ key: "e2e-key", next: "/dashboard/sessions" }),
        redirect: "manual",
      });
      expect(ok.headers.get("location")).toBe("/dashboard/sessions");
      expect(ok.headers.get("set-cookie")).toMatch(/Max-Age=604800/);
    } finally {
      await locked.stop();
    }
  });
});

describe("console polish: Markdown, one row per model, labelled legends, endpoints, system prompt", () => {
  const KEY = "polish-key";
  const MD = [
    "Here is a **table**:\n\n",
    "| plant | light |\n| --- | ---: |\n| mint | shade |\n| basil | sun |\n\n",
    "And code:\n\n```python\ndef water(plant):\n    return 42  # daily\n```\n\n",
    'Raw HTML stays text: <img src="x" onerror="window.__pwned=1"> <b>bold?</b>\n',
  ];
  let g: Awaited<ReturnType<typeof startGateway>>;
  let ctx: Awaited<ReturnType<Browser["newContext"]>>;
  const api = (path: string, init: RequestInit = {}, key: string | null = KEY) =>
    fetch(`${g.url}${path}`, {
      signal: AbortSignal.timeout(30_000),
      ...init,
      headers: {
        "content-type": "application/json",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...init.headers,
      },
    });

  beforeAll(async () => {
    g = await startGateway({ CLAUDE_AUTH_KEY: KEY, OLLAMA_URL: ollama.url });
    // A client with a wrong key polling /v1/models: three 401s, recorded with no model.
    for (let i = 0; i < 3; i++) expect((await api("/v1/models", {}, "wrong")).status).toBe(401);
    // A claude-code request that fails the schema (refused before it is routed) next to one that ran.
    seedRequests(g.dbPath, [{ id: "polish-ok", minutesAgo: 2, model: "claude-code", provider: "claude-code" }]);
    const bad = await api("/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "claude-code", messages: "not a list" }),
    });
    expect(bad.status).toBe(400);
    // A session with a system prompt whose answer is Markdown.
    ollama.script = () => ({ chunks: MD });
    const chat = await api("/v1/chat/completions", {
      method: "POST",
      headers: { "x-session-id": "polish-session" },
      body: JSON.stringify({
        model: "ollama/qwen3:8b",
        messages: [
          { role: "system", content: "Answer like a gardener." },
          { role: "user", content: "Which plants for shade?" },
        ],
      }),
    });
    expect(chat.status).toBe(200);
    ollama.script = () => undefined;
    ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const p = await ctx.newPage();
    await p.goto(`${g.url}/login`);
    await p.getByLabel("Key").fill(KEY);
    await p.getByRole("button", { name: "Sign in" }).click();
    await eventually(() => p.url() === `${g.url}/dashboard`);
    await p.close();
  });

  afterAll(async () => {
    await ctx?.close();
    await g?.stop();
  });

  it("one model is one row; the table fits at 1366 px; every legend swatch has a label", async () => {
    const p = await ctx.newPage();
    try {
      await p.goto(`${g.url}/dashboard`);
      const rows = p.getByTestId("model-row");
      await poll(() => rows.count()).toBe(3);
      const models = await rows.locator("[data-col=model]").allInnerTexts();
      expect(models.sort()).toEqual(["claude-code", "ollama/qwen3:8b", "unknown"]);
      const claude = rows.filter({ has: p.locator("[data-col=model]", { hasText: "claude-code" }) });
      expect(await claude.locator("[data-col=provider]").innerText()).toBe("claude-code");
      expect(await claude.locator("[data-col=requests]").innerText()).toBe("2");
      expect(await claude.locator("[data-col=errors]").innerText()).toBe("1");
      const unknown = rows.filter({ has: p.locator("[data-col=model]", { hasText: "unknown" }) });
      expect(await unknown.locator("[data-col=provider]").innerText()).toBe("unknown");
      expect(await unknown.locator("[data-col=requests]").innerText()).toBe("3");
      // Nothing to filter the log on for calls that named no model: no link; a model's row links to its requests.
      expect(await unknown.locator("[data-col=model] a").count()).toBe(0);
      expect(await claude.locator("[data-col=model] a").getAttribute("href")).toBe(
        "/dashboard/requests?model=claude-code",
      );
      // The same rows as GET /v1/usage.
      const usage = await (await api("/v1/usage")).json();
      const data = Array.isArray(usage) ? usage : usage.data;
      expect(data.map((u: { model: string; provider: string }) => `${u.model}|${u.provider}`).sort()).toEqual([
        "claude-code|claude-code",
        "ollama/qwen3:8b|ollama",
        "unknown|unknown",
      ]);

      // Every column in view at 1366 px: nothing scrolls sideways, the last one ends inside the window.
      const table = p.getByTestId("model-table");
      const overflow = await table.evaluate(
        (t) => (t.parentElement?.scrollWidth ?? 0) - (t.parentElement?.clientWidth ?? 0),
      );
      expect(overflow).toBeLessThanOrEqual(0);
      for (const col of ["cost_usd", "avg_duration_ms"]) {
        const box = await rows.first().locator(`[data-col=${col}]`).boundingBox();
        expect(box, col).not.toBeNull();
        expect((box?.x ?? 0) + (box?.width ?? 0), col).toBeLessThanOrEqual(1366);
      }

      // Legends: requests by provider shows the refused calls as "unknown"; no swatch without a label.
      await poll(() => p.locator("[data-testid=chart-requests] .recharts-legend-item").count()).toBe(3);
      for (const chart of ["chart-requests", "chart-tokens", "chart-latency"]) {
        const labels = await p.locator(`[data-testid=${chart}] .recharts-legend-item`).allInnerTexts();
        expect(labels.length, chart).toBeGreaterThan(0);
        for (const l of labels) expect(l.trim(), `${chart}: ${labels.join(",")}`).not.toBe("");
      }
      expect(await p.locator("[data-testid=chart-requests] .recharts-legend-item").allInnerTexts()).toEqual([
        "claude-code",
        "ollama",
        "unknown",
      ]);
      // Refused calls have no tokens: nothing to draw, so no legend entry for them there.
      expect(await p.locator("[data-testid=chart-tokens] .recharts-legend-item").allInnerTexts()).not.toContain(
        "unknown",
      );
      await shot(p, "polish-overview-desktop");
    } finally {
      await p.close();
    }
  });

  it("failed calls without a model show their endpoint in the log and the detail, not '(none)'", async () => {
    const p = await ctx.newPage();
    try {
      await p.goto(`${g.url}/dashboard/requests`);
      const rows = p.getByTestId("request-row");
      await poll(() => rows.count()).toBe(6);
      const subjects = await rows.getByTestId("subject").allInnerTexts();
      expect(subjects.filter((s) => s === "/v1/models")).toHaveLength(3);
      expect(subjects).not.toContain("(none)");
      expect(await p.getByTestId("request-table").innerText()).not.toContain("(none)");
      const failed = rows.filter({ hasText: "/v1/models" }).first();
      expect(await failed.innerText()).toContain("error 401");
      await shot(p, "polish-requests-desktop");
      await p.setViewportSize({ width: 390, height: 844 });
      const cards = p.getByTestId("request-card");
      await poll(() => cards.count()).toBe(6);
      expect((await cards.getByTestId("subject").allInnerTexts()).filter((t) => t === "/v1/models")).toHaveLength(3);
      await shot(p, "polish-requests-phone");
      await p.setViewportSize({ width: 1366, height: 900 });
      await failed.getByRole("link").first().click();
      await poll(() => p.getByText("Endpoint", { exact: true }).count()).toBe(1);
      const endpoint = p.locator("dt", { hasText: /^Endpoint$/ }).locator("xpath=following-sibling::dd");
      expect(await endpoint.innerText()).toBe("/v1/models");
      // The overview's latest errors name the endpoint too.
      await p.goto(`${g.url}/dashboard`);
      await poll(() => p.getByTestId("latest-errors").innerText()).toContain("/v1/models");
      expect(await p.getByTestId("latest-errors").innerText()).not.toContain("(none)");
    } finally {
      await p.close();
    }
  });

  it("a transcript renders the answer's Markdown: a GFM table, highlighted code, raw HTML as text", async () => {
    const p = await ctx.newPage();
    try {
      await p.goto(`${g.url}/dashboard/sessions/polish-session`);
      await poll(() => p.getByTestId("turn").count()).toBe(1);
      const answer = p.getByTestId("markdown").first();
      await poll(() => answer.locator("table").count()).toBe(1);
      expect(await answer.locator("th").allInnerTexts()).toEqual(["plant", "light"]);
      expect(await answer.locator("td").allInnerTexts()).toEqual(["mint", "shade", "basil", "sun"]);
      expect(await answer.locator("strong").innerText()).toBe("table");
      const code = answer.locator("pre code.hljs.language-python");
      expect(await code.innerText()).toContain("def water(plant):");
      expect(await code.locator(".hljs-keyword").allInnerTexts()).toEqual(["def", "return"]);
      expect(await code.locator(".hljs-comment").innerText()).toBe("# daily");
      // Raw HTML is not rendered: no <img>, no <b>; the text shows as written, and nothing ran.
      expect(await p.locator("article img").count()).toBe(0);
      expect(await answer.locator("b").count()).toBe(0);
      expect(await answer.innerText()).toContain('<img src="x" onerror="window.__pwned=1">');
      expect(await p.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
      // The user's message and the system prompt stay plain text.
      expect(await p.locator("article").innerText()).toContain("Answer like a gardener.");
      await shot(p, "polish-transcript-markdown-desktop");
      await p.setViewportSize({ width: 390, height: 844 });
      await shot(p, "polish-transcript-markdown-phone");
      const sideways = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(sideways).toBeLessThanOrEqual(0);
    } finally {
      await p.close();
    }
  });

  it("'Continue in playground' keeps the session's system prompt and sends it", async () => {
    const p = await ctx.newPage();
    try {
      await p.goto(`${g.url}/dashboard/sessions/polish-session`);
      await p.getByRole("link", { name: "Continue in playground" }).click();
      await poll(() => p.getByTestId("message").count()).toBe(2);
      await poll(() => p.getByLabel("System prompt").inputValue()).toBe("Answer like a gardener.");
      await p.getByLabel("Message").fill("And for sun?");
      await p.getByRole("button", { name: "Send" }).click();
      await poll(() => p.getByTestId("reply-text").last().innerText()).toBe("Echo: And for sun?");
      const sent = ollama.chats().at(-1).messages;
      expect(sent[0]).toEqual({ role: "system", content: "Answer like a gardener." });
      expect(sent.filter((m: { role: string }) => m.role === "system")).toHaveLength(1);
      expect(sent.at(-1)).toMatchObject({ role: "user", content: "And for sun?" });
      // A prompt typed before the transcript arrives is not overwritten by the stored one.
      await p.route("**/api/trpc/**", async (route) => {
        if (route.request().url().includes("sessions.transcript")) await sleep(1_500);
        await route.continue().catch(() => {});
      });
      await p.goto(`${g.url}/dashboard/playground?session=polish-session&model=ollama%2Fqwen3%3A8b`);
      await p.getByLabel("System prompt").fill("Typed by hand.");
      await poll(() => p.getByTestId("message").count()).toBe(4);
      await sleep(300);
      expect(await p.getByLabel("System prompt").inputValue()).toBe("Typed by hand.");
    } finally {
      await p.close();
    }
  });

  it("the playground renders a streamed Markdown answer as it arrives", async () => {
    const p = await ctx.newPage();
    try {
      ollama.script = () => ({ chunks: MD.flatMap((m) => m.match(/[\s\S]{1,12}/g) ?? []), delayMs: 120 });
      await p.goto(`${g.url}/dashboard/playground`);
      await p.getByLabel("Model", { exact: true }).selectOption("ollama/qwen3:8b");
      await p.getByLabel("Message").fill("Which plants for shade?");
      await p.getByRole("button", { name: "Send" }).click();
      const reply = p.getByTestId("reply-text").last();
      // Mid-stream: the table is already a table while the code has not arrived.
      await poll(() => reply.locator("td").count()).toBeGreaterThan(0);
      expect(await p.getByTestId("figures").count()).toBe(0);
      await poll(() => reply.locator("code.hljs .hljs-keyword").count()).toBe(2);
      await poll(() => p.getByTestId("figures").count()).toBe(1);
      expect(await reply.locator("td").allInnerTexts()).toEqual(["mint", "shade", "basil", "sun"]);
      expect(await reply.locator("img, b").count()).toBe(0);
      await shot(p, "polish-playground-markdown-desktop");
      await p.setViewportSize({ width: 390, height: 844 });
      await shot(p, "polish-playground-markdown-phone");
    } finally {
      ollama.script = () => undefined;
      await p.close();
    }
  });
});
