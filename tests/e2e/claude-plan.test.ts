/**
 * The overview's "Claude plan" card in headless Chromium, desktop and 390 px phone (issue 18), from the
 * state the real `claude` reported on an OAuth login against the fake API's anthropic-ratelimit-unified-*
 * headers; and the "API-equivalent cost" labels of a plan login. Screenshots: test-artifacts/screenshots/
 * claude-plan-*.png.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planHeaders } from "../fakes/anthropic";
import { launch, SHOTS, shot } from "../helpers/browser";
import { type ClaudeSetup, startClaudeGateway } from "../helpers/claude";
import { chat } from "../integration/keys-client";

let c: ClaudeSetup;
let browser: Browser;

const MIN = 60_000;
const sec = (msFromNow: number) => Math.floor((Date.now() + msFromNow) / 1000);
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

beforeAll(async () => {
  c = await startClaudeGateway({
    ANTHROPIC_API_KEY: undefined,
    CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-fake-token-for-tests",
    CLAUDE_PLAN_GUARD: "0.9",
    CLAUDE_SPARES: "0",
    CLAUDE_SPARES_MAX: "0",
  });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

/** A turn whose answer carries these plan headers; resolves once the quota shows `check`. */
async function turnWith(headers: Record<string, string>, check: (q: any) => boolean) {
  c.fake.setPlanHeaders(headers);
  const r = await chat(c.gw, null, "claude-code", { content: "plan card" });
  expect(r.status, r.text).toBe(200);
  await poll(async () => check(await (await fetch(`${c.gw.url}/v1/usage/quota`)).json())).toBe(true);
}

async function overview(width: number, height: number): Promise<Page> {
  const p = await browser.newPage({ viewport: { width, height } });
  await p.goto(`${c.gw.url}/dashboard`);
  await p.getByTestId("plan-window-five_hour").waitFor();
  await p.waitForLoadState("networkidle");
  return p;
}

describe("the Claude plan card", () => {
  it("shows a bar per window with its use and reset countdown, the overage and the guard", async () => {
    await turnWith(
      planHeaders({
        fiveHour: { utilization: 0.42, reset: sec(2 * 60 * MIN + 30 * MIN), status: "allowed" },
        sevenDay: { utilization: 0.81, reset: sec(4 * 24 * 60 * MIN + 90 * MIN), status: "allowed_warning" },
        overageStatus: "rejected",
        overageDisabledReason: "out_of_credits",
      }),
      (q) => q.windows.seven_day?.utilization === 0.81,
    );
    for (const [name, width, height] of [
      ["desktop", 1366, 900],
      ["phone", 390, 844],
    ] as const) {
      const p = await overview(width, height);
      try {
        const card = p.getByTestId("claude-plan");
        const five = card.getByTestId("plan-window-five_hour");
        const seven = card.getByTestId("plan-window-seven_day");
        expect(await five.innerText()).toMatch(/^5-hour\s+42%[\s\S]*resets in 2h (29|30)m/);
        expect(await seven.innerText()).toMatch(/^7-day\s+81%\s+nearing the limit[\s\S]*resets in 4d 1h/);
        expect(await card.getByTestId("plan-overage").innerText()).toBe("Overage: off (out of credits)");
        expect(await card.getByTestId("plan-guard").innerText()).toBe("Guard: refuses at 90% of any window");
        expect(await card.getByTestId("plan-kind").innerText()).toMatch(/^subscription · seen /);
        // The bars: as wide as the share used.
        const barShare = async (w: typeof five) => {
          const [outer, inner] = await Promise.all([
            w.locator("div[aria-hidden]").boundingBox(),
            w.locator("div[aria-hidden] > div").boundingBox(),
          ]);
          return Math.round(((inner?.width ?? 0) / (outer?.width ?? 1)) * 100);
        };
        expect(await barShare(five)).toBe(42);
        expect(await barShare(seven)).toBe(81);
        // Claude's cost for a plan login is what the API would charge.
        expect(await p.getByTestId("card-cost").innerText()).toContain("API-EQUIVALENT COST");
        // Nothing wider than the screen on a phone; the card fits it.
        expect(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
        const box = await card.boundingBox();
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
        await shot(p, `claude-plan-${name}`);
        await card.screenshot({ path: `${SHOTS}/claude-plan-card-${name}.png` });
      } finally {
        await p.close();
      }
    }
  });

  it("the playground labels a Claude reply's cost as API-equivalent", async () => {
    const p = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    try {
      await p.goto(`${c.gw.url}/dashboard/playground`);
      await p.getByTestId("panel").waitFor();
      await p.getByLabel("Model", { exact: true }).selectOption("claude-code");
      await p.getByLabel("Message").fill("hello plan");
      await p.getByRole("button", { name: "Send" }).click();
      await poll(() => p.getByTestId("reply-text").last().innerText()).toBe("Echo: hello plan");
      await poll(() => p.getByTestId("fig-cost").last().innerText()).toMatch(/^\$/);
      expect(await p.getByTestId("figures").last().innerText()).toMatch(/API-equivalent cost\s+\$/);
    } finally {
      await p.close();
    }
  });

  it("shows a used-up window running on overage, and the request log's cost as API-equivalent", async () => {
    await turnWith(
      planHeaders({
        status: "rejected",
        fiveHour: { utilization: 1, reset: sec(45 * MIN), status: "rejected" },
        sevenDay: { utilization: 0.83, reset: sec(4 * 24 * 60 * MIN), status: "allowed_warning" },
        overageStatus: "allowed",
      }),
      (q) => q.overage.in_use === true,
    );
    const p = await overview(390, 844);
    try {
      const five = p.getByTestId("plan-window-five_hour");
      await poll(() => five.innerText()).toMatch(/^5-hour\s+100%\s+used up\s+on overage[\s\S]*resets in 4[45]m/);
      expect(await p.getByTestId("plan-overage").innerText()).toBe("Overage: in use: turns are billed as extra usage");
      await shot(p, "claude-plan-overage-phone");
      await p.getByTestId("claude-plan").screenshot({ path: `${SHOTS}/claude-plan-card-overage-phone.png` });
      await p.setViewportSize({ width: 1366, height: 900 });
      await p.goto(`${c.gw.url}/dashboard/requests`);
      await p.getByTestId("request-table").waitFor();
      await poll(() => p.getByTestId("request-table").locator("thead").innerText()).toContain("API-EQUIVALENT COST");
    } finally {
      await p.close();
    }
  });
});
