/**
 * The console's pictures in the docs, taken from the real console in Chromium at fixed sizes: the
 * overview, a request's page, the playground comparing two models, the keys page. A gateway with a
 * day of seeded requests, three API keys that made real requests, and scripted answers from the fakes.
 *
 * `npm test` takes them into test-artifacts/screenshots/docs/ and leaves the committed ones alone
 * (pixels differ from run to run: times, "x min ago"); `npm run docs:screenshots` (DOCS_SCREENSHOTS=1)
 * writes them into docs/images/.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { launch, SHOTS } from "../helpers/browser";
import { type ClaudeSetup, startClaudeGateway } from "../helpers/claude";
import { docFiles, parsePage, root } from "../helpers/markdown";
import { insertRequests, randomRequests } from "../helpers/seed";

const VIEWPORT = { width: 1280, height: 800 };
/** The overview is taller: its charts come after the cards, the plan, the processes and the hosts. */
const TALL = { width: 1280, height: 1200 };
const INTO = process.env.DOCS_SCREENSHOTS === "1" ? path.join(root, "docs", "images") : path.join(SHOTS, "docs");

/** What the fakes answer, by the prompt's first words (a reply reads like a model's, not an echo). */
const ANSWERS: Array<[RegExp, string, string]> = [
  [
    /herbs/i,
    "Mint, parsley and chives all grow well in partial shade; mint spreads, so give it a pot of its own.",
    "Three herbs for shade: mint, lemon balm and chervil. Keep the soil moist and cut them often.",
  ],
  [
    /walk/i,
    "Start at Kemble, where the Thames rises, and follow the **Thames Path** east:\n\n| day | from | to | km |\n| --- | --- | --- | --- |\n| 1 | Kemble | Cricklade | 19 |\n| 2 | Cricklade | Lechlade | 18 |\n\nCarry water: there are few shops on the first day.",
    "Follow the Thames Path from Kemble.",
  ],
];
const answer = (prompt: string, which: 1 | 2) =>
  ANSWERS.find(([re]) => re.test(prompt))?.[which] ?? "Lettuce, spinach and kale tolerate shade.";

let ollama: FakeOllama;
let c: ClaudeSetup;
let browser: Browser;
let page: Page;
const taken: string[] = [];

const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) => expect.poll(fn, { timeout, interval: 100 });

async function admin(pathname: string, body: unknown) {
  const res = await fetch(`${c.gw.url}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

/** A picture of the page as it is now, at a fixed size; checks what was written. */
async function picture(name: string, size = VIEWPORT) {
  await page.setViewportSize(size);
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(1_500); // the charts' entry animation
  fs.mkdirSync(INTO, { recursive: true });
  const file = path.join(INTO, `${name}.png`);
  await page.screenshot({ path: file });
  const png = fs.readFileSync(file);
  expect(png.subarray(1, 4).toString()).toBe("PNG");
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size.width, size.height]);
  taken.push(`images/${name}.png`);
}

beforeAll(async () => {
  ollama = await startFakeOllama({ models: ["qwen3:8b", "llama3.2:3b"] });
  ollama.script = (body) => {
    const prompt = String(body.messages?.at(-1)?.content ?? "");
    return { chunks: answer(prompt, 2).split(/(?<= )/), delayMs: 20 };
  };
  c = await startClaudeGateway({ OLLAMA_URL: ollama.url });
  c.fake.setScript((_req, ctx) => ({ type: "reply", text: answer(ctx.lastUserText, 1), delayMs: 20 }));
  // A day of traffic on both providers, as the overview's charts show it.
  insertRequests(c.gw.dbPath, randomRequests(400, 27, Date.now(), 1));
  // Three keys (the admin API is open on a gateway without CLAUDE_AUTH_KEY), two of which have spent.
  const mobile = await admin("/admin/keys", {
    name: "mobile app",
    allowed_models: ["ollama/*"],
    rpm_limit: 120,
    max_budget_tokens: 2_000_000,
    budget_duration: "1d",
  });
  const agents = await admin("/admin/keys", {
    name: "ci agents",
    allowed_models: ["claude-code", "sonnet"],
    rpm_limit: 30,
    max_budget_usd: 25,
    budget_duration: "7d",
  });
  await admin("/admin/keys", { name: "notebooks", tpm_limit: 50_000 });
  for (const [key, model, content] of [
    [mobile.key, "ollama/qwen3:8b", "Which herbs grow in shade?"],
    [mobile.key, "ollama/llama3.2:3b", "And vegetables?"],
    [agents.key, "claude-code", "Plan a long walk along the river Thames from its source."],
  ] as const) {
    const r = await c.gw.openai({ apiKey: key }).chat.completions.create({
      model,
      messages: [{ role: "user", content }],
    });
    expect(r.choices[0]?.message.content).toBe(answer(content, model === "claude-code" ? 1 : 2));
  }
  browser = await launch();
  page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await c?.close();
  await ollama?.close();
});

describe("the console's pictures in the docs (Chromium, 1280 px wide)", () => {
  it("overview: the cards and the charts of a day's requests", async () => {
    await page.goto(`${c.gw.url}/dashboard`);
    await poll(() => page.getByTestId("card-requests-value").innerText()).toMatch(/^[\d,]{3,}$/);
    await picture("overview", TALL);
  });

  it("a request's page: its figures, prompt and answer (a Markdown table rendered)", async () => {
    const id = c.gw.records().findLast((r) => r.model === "claude-code")?.id;
    await page.goto(`${c.gw.url}/dashboard/requests/${id}`);
    const article = page.locator("article");
    await poll(() => article.innerText()).toContain("Plan a long walk along the river Thames");
    expect(await article.locator("table").count()).toBeGreaterThan(0);
    await picture("request-detail");
  });

  it("playground: Claude Code and an Ollama model answer one prompt side by side", async () => {
    await page.goto(`${c.gw.url}/dashboard/playground`);
    await page.getByLabel("Compare models").check();
    const panels = page.getByTestId("panel");
    await poll(() => panels.count()).toBe(2);
    await panels.nth(0).locator("select").selectOption("claude-code");
    await panels.nth(1).locator("select").selectOption("ollama/qwen3:8b");
    await page.getByLabel("Message").fill("Which herbs grow in shade?");
    await page.getByRole("button", { name: "Send" }).click();
    await poll(() => page.getByTestId("figures").count(), 30_000).toBe(2);
    const replies = page.getByTestId("reply-text");
    expect(await replies.nth(0).innerText()).toBe(answer("herbs", 1));
    expect((await replies.nth(1).innerText()).trim()).toBe(answer("herbs", 2));
    await picture("playground-compare");
  });

  it("keys: each key's spend against its budget, its limits, the audit log", async () => {
    await page.goto(`${c.gw.url}/dashboard/keys`);
    await poll(() => page.getByTestId("key-row").count()).toBe(3);
    await poll(() => page.getByTestId("key-row").filter({ hasText: "mobile app" }).innerText()).toContain("2 requests");
    await picture("keys");
  });

  it("took every picture the docs show, and the docs show every one it took", () => {
    const shown = new Set<string>();
    for (const f of docFiles()) {
      for (const l of parsePage(path.join(root, f)).links) {
        if (l.image) shown.add(path.relative(path.join(root, "docs"), path.resolve(root, path.dirname(f), l.target)));
      }
    }
    expect([...shown].sort()).toEqual([...taken].sort());
  });
});
