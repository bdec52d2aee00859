/**
 * Issue 25 in the console, in Chromium at desktop and phone sizes: a real Claude Code task (the fake
 * Anthropic API drives it into Write, Bash and a sub-agent) shown as a timeline in the request detail,
 * folded under its turn in the session view, counted in the request list, which filters by tool, and
 * in the overview's tool calls.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bash, runTask, steps, stepsScript, subAgent, write } from "../helpers/agent-tasks";
import { launch, shot } from "../helpers/browser";
import { type ClaudeSetup, startClaudeGateway } from "../helpers/claude";

let c: ClaudeSetup;
let browser: Browser;

beforeAll(async () => {
  c = await startClaudeGateway({ CLAUDE_SPARES: "0" });
  c.fake.setScript(stepsScript);
  browser = await launch();
  const r = await runTask(
    c.gw.url,
    "",
    `build it ${steps([write("src/app.txt", "v1\n")], [bash("ls -la src && false")], [subAgent([bash("echo sub-agent-was-here")])])}`,
    { session: "steps-session" },
  );
  expect(r.status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await c?.close();
});

/** No step row reaches past the screen's right edge. */
async function fits(p: Page, width: number) {
  const rights = await p.getByTestId("step").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right));
  expect(rights.length).toBeGreaterThan(0);
  for (const r of rights) expect(r).toBeLessThanOrEqual(width);
}

const sizes = [
  { name: "desktop", width: 1366, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

describe("the console shows what the agent did", () => {
  it.each(sizes)(
    "request detail: the timeline, nested sub-agent and files changed ($name)",
    async ({ name, width, height }) => {
      const p = await browser.newPage({ viewport: { width, height } });
      const list = `${c.gw.url}/dashboard/requests?tool=Agent`;
      await p.goto(list);
      const row = p.locator(`a[href^="/dashboard/requests/req_"]:visible`).first();
      await row.waitFor();
      const href = (await row.getAttribute("href")) ?? "";
      expect(href).toContain("/dashboard/requests/req_");
      if (name === "desktop") await shot(p, "steps-request-list-desktop");
      await p.goto(`${c.gw.url}${href.split("?")[0]}`);
      const timeline = p.getByTestId("steps");
      await timeline.waitFor();
      const text = await timeline.innerText();
      expect(text).toMatch(/model calls · 4 tool calls \(1 failed\) · 1 file changed/);
      expect(text).toContain("ls -la src && false");
      expect(await p.getByTestId("sub-agent").innerText()).toContain("echo sub-agent-was-here");
      expect(await p.getByTestId("files-changed").innerText()).toMatch(/src\/app\.txt/);
      await fits(p, width);
      await shot(p, `steps-request-detail-${name}`);
      await p.close();
    },
  );

  it.each(sizes)("session view: each turn's steps folded under it ($name)", async ({ name, width, height }) => {
    const p = await browser.newPage({ viewport: { width, height } });
    await p.goto(`${c.gw.url}/dashboard/sessions/steps-session`);
    const folded = p.getByTestId("turn").first().getByTestId("steps");
    await folded.waitFor();
    expect(await folded.locator("summary").innerText()).toContain("4 tool calls (1 failed)");
    expect(await folded.getByTestId("step").first().isVisible()).toBe(false);
    await folded.locator("summary").click();
    expect(await folded.getByTestId("step").first().isVisible()).toBe(true);
    await fits(p, width);
    await shot(p, `steps-session-${name}`);
    await p.close();
  });

  it("overview: tool calls by tool, each a link to the requests that ran it", async () => {
    const p = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await p.goto(`${c.gw.url}/dashboard`);
    const bashRow = p.locator('[data-testid="tool-row"][data-tool="Bash"]');
    await bashRow.waitFor();
    expect(await bashRow.innerText()).toMatch(/Bash\s+2\s+1/);
    await shot(p, "steps-overview-desktop");
    await bashRow.locator("a").click();
    await p.waitForURL(/\/dashboard\/requests\?tool=Bash/);
    const count = p.locator('td[data-testid="request-steps"]').first();
    await count.waitFor();
    expect(Number(await count.innerText())).toBeGreaterThanOrEqual(8);
    await p.close();
  });
});
