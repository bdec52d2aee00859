import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { launch, shot } from "../helpers/browser";
import { type ClaudeSetup, startClaudeGateway } from "../helpers/claude";
import { eventually, startGateway } from "../helpers/gateway";
import { seedRequests, seedSession } from "../helpers/seed";

let ollama: FakeOllama;
let c: ClaudeSetup;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ollama = await startFakeOllama();
  c = await startClaudeGateway({ OLLAMA_URL: ollama.url });
  // 12 requests in the last 24 h (3 in the last hour), 2 of them errors; 5 older ones.
  seedRequests(c.gw.dbPath, [
    ...Array.from({ length: 7 }, (_, i) => ({
      id: `seed-a${i}`,
      minutesAgo: 90 + i * 60,
      model: "ollama/qwen3:8b",
      provider: "ollama",
      promptTokens: 100,
      completionTokens: 50,
      durationMs: 800,
    })),
    ...Array.from({ length: 3 }, (_, i) => ({
      id: `seed-b${i}`,
      minutesAgo: 5 + i,
      model: "sonnet",
      provider: "claude-code",
      promptTokens: 1000,
      completionTokens: 200,
      costUsd: 0.25,
      durationMs: 4000,
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
    },
    {
      id: "seed-e2",
      minutesAgo: 200,
      model: "ollama/qwen3:8b",
      provider: "ollama",
      status: "error",
      httpStatus: 502,
      errorMessage: "Ollama failed (seeded)",
    },
    ...Array.from({ length: 5 }, (_, i) => ({
      id: `seed-old${i}`,
      minutesAgo: 3 * 24 * 60 + i,
      model: "opus",
      provider: "claude-code",
    })),
  ]);
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

const cardValue = (id: string) => page.getByTestId(`card-${id}-value`).innerText();

describe("console (headless Chromium)", () => {
  it("the overview shows the seeded figures and follows the range", async () => {
    await page.goto(`${c.gw.url}/dashboard`);
    await expect.poll(() => cardValue("requests")).toBe("12");
    expect(await cardValue("errors")).toBe("16.7%");
    expect(await cardValue("cost")).toBe("$0.75");
    const table = page.getByTestId("model-table");
    await expect.poll(() => table.innerText()).toContain("ollama/qwen3:8b");
    expect(await page.getByTestId("latest-errors").innerText()).toContain("Claude is overloaded (seeded)");
    expect(await page.locator("svg.recharts-surface").count()).toBeGreaterThanOrEqual(3);
    await shot(page, "dashboard");
    await page.getByText("1 h", { exact: true }).click();
    await expect.poll(() => cardValue("requests")).toBe("3");
    await page.getByText("All", { exact: true }).click();
    await expect.poll(() => cardValue("requests")).toBe("17");
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${c.gw.url}/dashboard`);
    await expect.poll(() => phone.getByTestId("card-requests-value").innerText()).toBe("12");
    await shot(phone, "dashboard-phone");
    await phone.close();
  });

  it("the requests page filters, pages and opens a request", async () => {
    await page.goto(`${c.gw.url}/dashboard/requests`);
    const rows = page.getByTestId("request-row");
    await expect.poll(() => rows.count()).toBe(17);
    await page.getByLabel("Model").selectOption("sonnet");
    await expect.poll(() => rows.count()).toBe(4);
    await page.getByLabel("Status").selectOption("error");
    await expect.poll(() => rows.count()).toBe(1);
    expect(page.url()).toContain("model=sonnet");
    await shot(page, "requests-filtered");
    await rows.first().getByRole("link").first().click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("seed-e1");
    expect(await page.getByLabel("Error").innerText()).toContain("Claude is overloaded (seeded)");
    await shot(page, "request-detail");
  });

  it("a session transcript opens turn by turn and continues in the playground", async () => {
    await page.goto(`${c.gw.url}/dashboard/sessions`);
    await page.getByRole("link", { name: "Plan the garden" }).click();
    await expect.poll(() => page.getByTestId("turn").count()).toBe(2);
    const text = await page.locator("article").innerText();
    expect(text).toContain("Which vegetables grow in shade?");
    expect(text).toContain("Mint and parsley do well.");
    await shot(page, "session-transcript");
    await page.getByRole("link", { name: "Continue in playground" }).click();
    await expect.poll(() => page.url()).toContain("/dashboard/playground?session=seeded-session");
    await expect.poll(() => page.getByTestId("message").count()).toBe(4);
  });

  it("the playground streams an answer from Ollama and from Claude Code, with figures", async () => {
    ollama.script = () => ({ chunks: ["Leaves ", "are ", "green ", "because ", "of ", "chlorophyll."], delayMs: 250 });
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("Model", { exact: true }).selectOption("ollama/qwen3:8b");
    await page.getByLabel("Message").fill("Why are leaves green?");
    await page.getByRole("button", { name: "Send" }).click();
    const reply = page.getByTestId("reply-text").last();
    await expect.poll(() => reply.innerText(), { timeout: 5_000 }).toContain("Leaves");
    expect(await reply.innerText()).not.toContain("chlorophyll"); // still streaming
    await expect.poll(() => reply.innerText(), { timeout: 10_000 }).toBe("Leaves are green because of chlorophyll.");
    await expect.poll(() => page.getByTestId("fig-tokens").last().innerText()).toMatch(/→ 6$/);
    ollama.script = () => undefined;

    await page.getByRole("button", { name: "New conversation" }).click();
    await page.getByLabel("Model", { exact: true }).selectOption("claude-code");
    await page.getByLabel("Message").fill("hello claude");
    await page.getByRole("button", { name: "Send" }).click();
    await expect
      .poll(() => page.getByTestId("reply-text").last().innerText(), { timeout: 15_000 })
      .toBe("Echo: hello claude");
    await expect.poll(() => page.getByTestId("fig-cost").last().innerText()).toMatch(/^\$/);
    await shot(page, "playground");
  });

  it("stop really cancels the run", async () => {
    ollama.script = () => ({ chunks: Array.from({ length: 40 }, (_, i) => `w${i} `), delayMs: 200 });
    const abortedBefore = ollama.aborted;
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("Model", { exact: true }).selectOption("ollama/qwen3:8b");
    await page.getByLabel("Message").fill("count for a long time");
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.getByTestId("reply-text").last().innerText()).toContain("w2");
    await page.getByRole("button", { name: "Stop" }).click();
    await expect.poll(() => page.getByTestId("figures").last().innerText()).toContain("stopped");
    await eventually(() => ollama.aborted > abortedBefore);
    await eventually(() => c.gw.records().find((r) => r.status === "cancelled" && r.model === "ollama/qwen3:8b"));
    ollama.script = () => undefined;
  });

  it("compare mode streams two models side by side", async () => {
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("Compare models").check();
    await expect.poll(() => page.getByTestId("panel").count()).toBe(2);
    const selects = page.getByTestId("panel").locator("select");
    await selects.nth(0).selectOption("claude-code");
    await selects.nth(1).selectOption("ollama/qwen3:8b");
    await page.getByLabel("Message").fill("side by side");
    await page.getByRole("button", { name: "Send" }).click();
    const replies = page.getByTestId("reply-text");
    await expect
      .poll(async () => [await replies.nth(0).innerText(), await replies.nth(1).innerText()], { timeout: 15_000 })
      .toEqual(["Echo: side by side", "Echo: side by side"]);
    await expect.poll(() => page.getByTestId("figures").count()).toBe(2);
    await shot(page, "playground-compare");
  });
});

describe("console login", () => {
  it("asks for the key, refuses a wrong one, lets the right one in, logs out", async () => {
    const locked = await startGateway({ CLAUDE_AUTH_KEY: "e2e-key" });
    const p = await browser.newPage();
    try {
      await p.goto(`${locked.url}/dashboard`);
      await expect.poll(() => p.url()).toContain("/login");
      await shot(p, "login");
      await p.getByLabel("Key").fill("wrong");
      await p.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => p.getByText("That key is not right.").count()).toBe(1);
      await p.getByLabel("Key").fill("e2e-key");
      await p.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => p.url()).toMatch(/\/dashboard$/);
      await expect.poll(() => p.getByTestId("card-requests-value").innerText()).toBe("0");
      await p.getByRole("button", { name: "Log out" }).click();
      await expect.poll(() => p.url()).toContain("/login");
      await p.goto(`${locked.url}/dashboard`);
      await expect.poll(() => p.url()).toContain("/login");
    } finally {
      await p.close();
      await locked.stop();
    }
  });
});
