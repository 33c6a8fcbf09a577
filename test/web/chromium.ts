import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium, driven by playwright-core with the project's flags. */
export const CHROMIUM = "/usr/bin/chromium";
export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** True when Chromium is missing: fails loudly under CI=true, otherwise says why the tests skip. */
export function chromiumMissing(what: string): boolean {
  const missing = !existsSync(CHROMIUM);
  if (missing && process.env.CI === "true") throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
  if (missing) console.log(`# skipping ${what}: no ${CHROMIUM} (apt-get install -y chromium)`);
  return missing;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}
