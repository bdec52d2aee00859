/** Headless Debian Chromium driven by playwright-core; screenshots go to test-artifacts/screenshots. */
import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const root = path.resolve(import.meta.dirname, "../..");
export const SHOTS = path.join(root, "test-artifacts", "screenshots");
const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launch(): Promise<Browser> {
  if (!fs.existsSync(EXECUTABLE)) {
    throw new Error(
      `No Chromium at ${EXECUTABLE}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  // playwright-core gives every launch a new, empty profile (its own --user-data-dir).
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
