import path from "node:path";
import OpenAI from "openai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/ollama";
import { launch, shot } from "../helpers/browser";
import { type Gateway, startGateway } from "../helpers/gateway";

const ADMIN = "e2e-admin-key";
let ollama: FakeOllama;
let gw: Gateway;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;

/** expect.poll with room for a loaded machine (2 cores shared). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

const ask = (key: string, model = "ollama/qwen3:8b") =>
  gw
    .openai({ apiKey: key })
    .chat.completions.create({ model, messages: [{ role: "user", content: "from the e2e key" }] });

beforeAll(async () => {
  ollama = await startFakeOllama();
  gw = await startGateway({ OLLAMA_URL: ollama.url, CLAUDE_AUTH_KEY: ADMIN });
  browser = await launch();
  ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gw.url });
  page = await ctx.newPage();
});
afterAll(async () => {
  await ctx?.close();
  await browser?.close();
  await gw?.stop();
  await ollama?.close();
});

const row = (name: string) => page.getByTestId("key-row").filter({ hasText: name });

describe("the console's key flow (Chromium)", () => {
  let keyText = "";
  let keyId = "";

  it("signs in and lands on /dashboard/keys", async () => {
    await page.goto(`${gw.url}/dashboard/keys`);
    await poll(() => page.url()).toContain("/login?next=%2Fdashboard%2Fkeys");
    await page.getByLabel("Key").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await poll(() => page.url()).toBe(`${gw.url}/dashboard/keys`);
    await poll(() => page.getByText("No keys yet").count()).toBe(1);
    await shot(page, "keys-empty");
  });

  it("creates a key, shows it once with a copy button, and the key works with the openai SDK", async () => {
    await page.getByRole("button", { name: "New key" }).click();
    await page.getByLabel("Name", { exact: true }).fill("e2e app");
    await page.getByLabel(/Allowed models/).fill("ollama/*");
    await page.getByLabel("Requests per minute").fill("100");
    await page.getByLabel("Budget (tokens)").fill("100000");
    await page.getByLabel("Budget period").selectOption("1d");
    await shot(page, "keys-form");
    await page.getByRole("button", { name: "Create key" }).click();
    const text = page.getByTestId("created-key-text");
    await poll(() => text.count()).toBe(1);
    keyText = await text.innerText();
    expect(keyText).toMatch(/^ccb-[A-Za-z0-9_-]{32,}$/);
    await page.getByRole("button", { name: "Copy" }).click();
    await poll(() => page.getByRole("button", { name: "Copied" }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(keyText);
    await shot(page, "keys-created");

    const answer = await ask(keyText);
    expect(answer.choices[0]?.message.content).toBe("Echo: from the e2e key");
    const refused = await ask(keyText, "claude-code").catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    await gw
      .openai({ apiKey: keyText, sessionId: "e2e-keyed-session" })
      .chat.completions.create({ model: "ollama/qwen3:8b", messages: [{ role: "user", content: "a session" }] });

    await page.getByRole("button", { name: "Done" }).click();
    await page.reload();
    await poll(() => row("e2e app").innerText()).toContain("3 requests");
    // a key with a budget period also shows what it spent since it was created (its spend ledger)
    expect(await row("e2e app").getByTestId("lifetime").innerText()).toMatch(/^lifetime: 3 req · [\d,]+ tok · /);
    expect(await page.content()).not.toContain(keyText);
    keyId = (await row("e2e app").getAttribute("data-key-id")) ?? "";
    expect(keyId).toMatch(/^key_/);
    await shot(page, "keys-list-used");
  });

  it("sets the key's Claude Code level and workspace; the table shows them, the admin API has them", async () => {
    await poll(() => row("e2e app").getByTestId("key-agent").innerText()).toContain("(default)");
    await row("e2e app").getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Claude Code tasks").selectOption("read-only");
    const dir = path.join(inject("tmpRoot"), "e2e-project");
    await page.getByLabel(/Workspace/).fill(dir);
    await shot(page, "keys-agent-form");
    await page.getByRole("button", { name: "Save changes" }).click();
    await poll(() => row("e2e app").getByTestId("key-agent").innerText()).toContain("read-only");
    expect(await row("e2e app").getByTestId("key-agent").innerText()).toContain(dir);
    const view = (await (
      await fetch(`${gw.url}/admin/keys/${keyId}`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as any;
    expect(view).toMatchObject({ agent_level: "read-only", workspace: dir, workspace_chosen: true });
    // A relative path is refused with the admin API's message, shown in the form.
    await row("e2e app").getByRole("button", { name: "Edit" }).click();
    await page.getByLabel(/Workspace/).fill("relative/dir");
    await page.getByRole("button", { name: "Save changes" }).click();
    await poll(() => page.locator("form [role=alert]").innerText()).toContain("absolute path");
    await page.getByRole("button", { name: "Cancel" }).click();
    await shot(page, "keys-agent-level");
  });

  it("edits limits, rotates (the old text stops) and revokes (at once)", async () => {
    await row("e2e app").getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Requests per minute").fill("5");
    await page.getByRole("button", { name: "Save changes" }).click();
    await poll(() => row("e2e app").innerText()).toContain("5 rpm");

    await row("e2e app").getByRole("button", { name: "Rotate" }).click();
    const text = page.getByTestId("created-key-text");
    await poll(() => text.innerText()).not.toBe(keyText);
    const rotated = await text.innerText();
    expect(rotated).toMatch(/^ccb-/);
    expect(await ask(keyText).catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await ask(rotated)).choices[0]?.message.content).toBe("Echo: from the e2e key");
    await page.getByRole("button", { name: "Done" }).click();

    await row("e2e app").getByRole("button", { name: "Revoke" }).click();
    await row("e2e app").getByRole("button", { name: "Confirm revoke" }).click();
    await poll(() => row("e2e app").innerText()).toContain("revoked");
    expect(await ask(rotated).catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError);
    const audit = page.getByTestId("audit-table");
    await poll(() => audit.innerText()).toContain("revoked");
    const log = await audit.innerText();
    for (const what of ["created", "updated", "rotated", "console", "127.0.0.1"]) expect(log).toContain(what);
    await shot(page, "keys-revoked-audit");
  });

  it("shows the key in the request log (column and filter) and spend per key on the overview", async () => {
    await page.goto(`${gw.url}/dashboard/requests?key=${keyId}`);
    const rows = page.getByTestId("request-row");
    // the first answer, the 403 for claude-code, the session's turn, the answer after rotation (a 401 is nobody's)
    await poll(() => rows.count()).toBe(4);
    for (const name of await page.getByTestId("request-table").getByTestId("key-name").allInnerTexts()) {
      expect(name).toBe("e2e app");
    }
    await shot(page, "requests-by-key");
    await page.goto(`${gw.url}/dashboard/sessions`);
    const session = page.getByTestId("session-row").filter({ hasText: "e2e-keyed-session" });
    await poll(() => session.getByTestId("key-name").innerText()).toBe("e2e app");
    await shot(page, "sessions-with-key");
    await page.goto(`${gw.url}/dashboard`);
    const spend = page.getByTestId("key-spend-table");
    await poll(() => spend.innerText()).toContain("e2e app");
    await spend.scrollIntoViewIfNeeded();
    await shot(page, "overview-spend-by-key");
  });
});
