/** The console shows a Claude Code tool loop: the request page links each leg to the other. */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, shot } from "../helpers/browser";
import { type ClaudeSetup, processStats, startClaudeGateway } from "../helpers/claude";

let c: ClaudeSetup;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  c = await startClaudeGateway();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await c?.close();
});

describe("a tool loop in the console", () => {
  it("links the leg that asked for tools and the leg that answered, with the client's time", async () => {
    const runner = c.gw.openai().chat.completions.runTools({
      model: "claude-code",
      messages: [{ role: "user", content: "console loop [[fake:tool=lookup]]" }],
      tools: [
        {
          type: "function",
          function: {
            name: "lookup",
            description: "Looks a thing up",
            parameters: { type: "object", properties: { q: { type: "string" } } },
            function: async () => {
              await new Promise((r) => setTimeout(r, 300)); // the client takes its time
              return "found it";
            },
            parse: JSON.parse,
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe("Got: found it");
    const [first, second] = c.gw.records().slice(-2);
    await page.goto(`${c.gw.url}/dashboard/requests/${second.id}`);
    const loop = page.getByTestId("tool-loop");
    await loop.waitFor();
    expect(await loop.innerText()).toMatch(/previous leg \(client took \d+ ms\)/);
    await shot(page, "tool-loop-second-leg");
    await loop.getByRole("link").click();
    await page.waitForURL(`**/dashboard/requests/${first.id}`);
    await page.getByText("next leg →").waitFor();
    expect(await page.locator("article").innerText()).toContain("tool_calls");
    await shot(page, "tool-loop-first-leg");
  });

  it("the overview shows the Claude Code processes", async () => {
    await page.goto(`${c.gw.url}/dashboard`);
    const card = page.getByTestId("claude-processes");
    await card.waitFor();
    const s = await processStats(c.gw);
    expect(await card.innerText()).toMatch(new RegExp(`SPARE\\s+${s.spare}`, "i"));
    expect(await card.innerText()).toMatch(new RegExp(`REUSABLE\\s+${s.reusable}`, "i"));
    expect(await page.getByTestId("claude-process-waits").innerText()).toMatch(
      new RegExp(`of at most ${s.limits.maxProcesses} processes · ${s.waits.total} requests waited`),
    );
    await shot(page, "overview-claude-processes");
  });
});
