/// <reference lib="dom" />
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { webTrader } from "../apps/webFixture.js";
import { chromiumMissing, launchChromium } from "./chromium.js";

type Trader = Awaited<ReturnType<typeof webTrader>>;

describe("the API page /docs in Chromium", { skip: chromiumMissing("the /docs browser test") }, () => {
  let t: Trader;
  let browser: Browser;
  before(async () => {
    t = await webTrader();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test("after logging in with the token, /docs lists every route under the CSP without a console error", { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    const before = await page.goto(`${t.web.url}/docs`);
    assert.equal(before?.status(), 401);
    await page.locator("form#login").waitFor();
    await page.goto(t.web.loginUrl);
    // From here on, nothing may fail (the 401 above is logged by Chromium as a console error).
    errors.length = 0;
    await page.goto(`${t.web.url}/docs`);
    await page.waitForFunction(() => document.body.dataset.loaded === "true");
    const routes = await page.locator("section.route").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.route));
    const doc = (await (await fetch(`${t.web.url}/docs/json`, { headers: { authorization: `Bearer ${t.web.token}` } })).json()) as {
      paths: Record<string, object>;
    };
    const expected = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    assert.deepEqual(routes, expected);
    assert.ok(routes.includes("POST /api/orders"));
    // The order body's fields are shown.
    await page.locator('section.route[data-route="POST /api/orders"] td code', { hasText: "volume" }).waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });
});
