/// <reference lib="dom" />
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { CtaApp, type CtaEngine } from "../../src/apps/cta/index.js";
import { startWebServer, type WebServer } from "../../src/apps/web/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { CtaTemplate } from "../../src/strategy/index.js";
import { MainEngine, type TickData } from "../../src/trader/index.js";
import { chromiumMissing, launchChromium } from "./chromium.js";

/** A guard against a hung browser, not a speed requirement. */
const GUARD = { timeout: 60_000 };

/** Counts its ticks, keeps the last price, and once trading buys one lot: its variables move on every tick. */
class TickCounter extends CtaTemplate {
  static override parameters = ["buyAfter"];
  static override variables = ["ticks", "lastPrice"];
  buyAfter = 3;
  ticks = 0;
  lastPrice = 0;
  private bought = false;
  override onTick(tick: TickData): void {
    this.ticks++;
    this.lastPrice = tick.lastPrice;
    if (this.trading && !this.bought && this.ticks >= this.buyAfter) {
      this.bought = true;
      this.buy(tick.askPrice1 * 1.01, 1);
    }
    this.putEvent();
  }
}

describe("a CtaEngine strategy driven from the page's strategies panel in Chromium", { skip: chromiumMissing("the strategies browser test") }, () => {
  let dir: string;
  let main: MainEngine;
  let cta: CtaEngine;
  let web: WebServer;
  let browser: Browser;
  let page: Page;
  let hold: NodeJS.Timeout;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tw-web13-cta-"));
    main = new MainEngine(undefined, { log: false });
    const gw = main.addGateway(SimGateway);
    await main.connect({ seed: 3, startTime: Date.UTC(2024, 2, 5, 6, 0), tickRate: 20, instruments: "rb2410.SHFE,IF2412.CFFEX" }, gw.gatewayName);
    cta = main.addApp(CtaApp);
    cta.configure({ stateFile: join(dir, "cta_state.json") });
    // Added only: the page inits and starts it (the CtaEngine subscribes its symbol at init).
    await cta.addStrategy(TickCounter, "counter", "rb2410.SHFE", { buyAfter: 3 });
    web = await startWebServer(main, { port: 0, strategies: cta });
    hold = setInterval(() => {}, 1000);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    await page.goto(web.loginUrl);
    await page.locator("#conn", { hasText: "live" }).waitFor();
  });
  after(async () => {
    clearInterval(hold);
    await browser?.close();
    await web?.close();
    await main?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const row = () => page.locator('#strategies-body tr[data-name="counter"]');
  const state = () => row().locator("td:nth-child(4)");
  const variables = () => row().locator("td:nth-child(5)");

  test("init, start: the state and the variables update live as ticks arrive, and the strategy's order fills", GUARD, async () => {
    await state().filter({ hasText: "added" }).waitFor();
    assert.equal(await row().locator("td:nth-child(2)").textContent(), "TickCounter");
    await row().getByRole("button", { name: "init" }).click();
    await state().filter({ hasText: "inited" }).waitFor();
    assert.equal(cta.getStrategy("counter")?.inited, true);
    // Inited, not trading: ticks already move its variables (vnpy routes ticks once inited).
    await page.waitForFunction(() => /ticks=[1-9]/.test(document.querySelector('#strategies-body tr[data-name="counter"] td:nth-child(5)')?.textContent ?? ""));
    await row().getByRole("button", { name: "start" }).click();
    await state().filter({ hasText: "trading" }).waitFor();
    assert.equal(cta.getStrategy("counter")?.trading, true);
    const seen = await variables().textContent();
    await page.waitForFunction((before) => {
      const now = document.querySelector('#strategies-body tr[data-name="counter"] td:nth-child(5)')?.textContent;
      return now !== before && /pos=1\b/.test(now ?? "");
    }, seen);
    // The page shows what the engine holds.
    assert.equal(cta.getStrategy("counter")?.pos, 1);
    await page.locator("#trades-body tr", { hasText: "rb2410" }).first().waitFor();
  });

  test("stop from the page: the strategy stops trading", GUARD, async () => {
    await row().getByRole("button", { name: "stop" }).click();
    await state().filter({ hasText: "inited" }).waitFor();
    assert.equal(cta.getStrategy("counter")?.trading, false);
    assert.equal(main.getAllActiveOrders().length, 0);
  });
});
