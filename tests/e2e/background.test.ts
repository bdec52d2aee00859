/**
 * Background responses in the console (issue 26): a run shows in the request list with its live status,
 * and the admin cancels it from its detail (the tRPC mutation); screenshots in test-artifacts/screenshots.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { launch, shot } from "../helpers/browser";
import { eventually, type Gateway, startGateway } from "../helpers/gateway";

let fake: FakeOllama;
let gw: Gateway;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  fake = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: fake.url });
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
});
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await fake?.close();
});

const retrieve = async (id: string) => (await (await fetch(`${gw.url}/v1/responses/${id}`)).json()) as any;

describe("background responses in the console", () => {
  it("lists a running one with its live status; the admin cancels it from its detail", async () => {
    fake.script = () => ({ chunks: Array.from({ length: 400 }, (_, i) => `w${i} `), delayMs: 50 });
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "ollama/qwen3:8b", input: "a long task", background: true }),
    });
    const created = (await res.json()) as any;
    const requestId = res.headers.get("x-request-id") as string;
    await eventually(async () => ((await retrieve(created.id)).status === "in_progress" ? true : undefined));

    await page.goto(`${gw.url}/dashboard/requests`);
    const row = page.locator(`[data-testid="request-row"][data-id="${requestId}"]`);
    await row.locator('[data-testid="background-status"]', { hasText: "in_progress" }).waitFor();
    await shot(page, "background-list-running");

    await page.goto(`${gw.url}/dashboard/requests/${requestId}`);
    await page.locator('[data-testid="cancel-background"]').click();
    await page.locator('[data-testid="background-status"]', { hasText: "cancelled" }).waitFor();
    expect(await page.locator('[data-testid="cancel-background"]').count()).toBe(0);
    await page.getByText("background response cancelled by the admin (console)").waitFor();
    await shot(page, "background-detail-cancelled");
    expect((await retrieve(created.id)).status).toBe("cancelled");
    await eventually(() => (fake.aborted > 0 ? true : undefined));

    // Back in the list, it shows how it ended.
    await page.goto(`${gw.url}/dashboard/requests`);
    await row.locator('[data-testid="background-status"]', { hasText: "cancelled" }).waitFor();
  });
});
