/// <reference lib="dom" />
// The functions passed to page.waitForFunction run in the page, hence the DOM types.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { startWebServer } from "../../src/apps/web/index.js";
import { webTrader } from "../apps/webFixture.js";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === "true") throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
if (missing) console.log(`# skipping the browser tests: no ${CHROMIUM} (apt-get install -y chromium)`);

type Trader = Awaited<ReturnType<typeof webTrader>>;
const TOKEN = "browser-test-token-0123456789";

describe("web trader in Chromium", { skip: missing }, () => {
  let t: Trader;
  let browser: Browser;
  let page: Page;
  before(async () => {
    t = await webTrader({ token: TOKEN }, { startTime: Date.UTC(2024, 2, 5, 6, 0) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    await page.goto(t.web.loginUrl);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  // A watch row: its volume moves with every tick, where the last price of rb2410 can stay put for
  // many seconds (a tick of 1 on 3,600 at 30% a year), so the tests wait for the row to change.
  const rowOf = (vt: string) => page.locator(`#watch-body tr[data-vt="${vt}"]`);

  test("the page opens with the token, drops it from the address and shows ticks updating", async () => {
    assert.equal(new URL(page.url()).search, "");
    await page.locator("#conn", { hasText: "live" }).waitFor();
    await rowOf("rb2410.SHFE").waitFor();
    const first = await rowOf("rb2410.SHFE").textContent();
    await page.waitForFunction(([sel, v]) => document.querySelector(sel)?.textContent !== v, [`#watch-body tr[data-vt="rb2410.SHFE"]`, first] as const);
  });

  test("clicking a symbol charts it, fills the ticket and the forming bar moves", async () => {
    await page.locator('#watch-body tr[data-vt="BTCUSDT.BINANCE"]').click();
    await page.waitForFunction(() => document.getElementById("chart")?.dataset.vt === "BTCUSDT.BINANCE");
    assert.equal(await page.locator("#t-symbol").inputValue(), "BTCUSDT.BINANCE");
    const updates = Number((await page.locator("#chart").getAttribute("data-updates")) ?? 0);
    await page.waitForFunction((n) => Number(document.getElementById("chart")?.dataset.updates ?? 0) > n + 2, updates);
  });

  test("an order from the ticket appears in orders, then in trades and positions", async () => {
    await page.locator('#watch-body tr[data-vt="rb2410.SHFE"]').click();
    const tick = t.main.getTick("rb2410.SHFE")!;
    const priceTick = t.main.getContract("rb2410.SHFE")!.priceTick;
    await page.locator("#t-offset").selectOption("OPEN");
    await page.locator("#t-type").selectOption("LIMIT");
    await page.locator("#t-price").fill(String(tick.askPrice1 + 5 * priceTick));
    await page.locator("#t-volume").fill("1");
    await page.locator("#t-buy").click();
    await page.locator("#t-msg", { hasText: "Sent" }).waitFor();
    const vtOrderid = (await page.locator("#t-msg").textContent())!.replace("Sent ", "");
    await page.locator("#orders-active").uncheck();
    await page.locator(`#orders-body tr[data-id="${vtOrderid}"]`).waitFor();
    await page.locator("#trades-body tr", { hasText: vtOrderid }).waitFor();
    await page.locator('#positions-body tr[data-vt="rb2410.SHFE"]').waitFor();
    await page.locator("#orders-active").check();
  });

  test("a resting order is cancelled from its row", async () => {
    const tick = t.main.getTick("rb2410.SHFE")!;
    const priceTick = t.main.getContract("rb2410.SHFE")!.priceTick;
    await page.locator("#t-price").fill(String(tick.bidPrice1 - 10 * priceTick));
    await page.locator("#t-buy").click();
    await page.locator("#t-msg", { hasText: "Sent" }).waitFor();
    const vtOrderid = (await page.locator("#t-msg").textContent())!.replace("Sent ", "");
    const row = page.locator(`#orders-body tr[data-id="${vtOrderid}"]`);
    await row.getByRole("button", { name: `Cancel ${vtOrderid}` }).click();
    await row.waitFor({ state: "detached" });
    await t.main.eventEngine.waitForIdle();
    assert.equal(t.main.getOrder(vtOrderid)?.status, "CANCELLED");
  });

  test("a rejected order shows its reason in the ticket", async () => {
    await page.locator("#t-volume").fill("100000000");
    await page.locator("#t-sell").click();
    await page.locator("#t-msg.error").waitFor();
    const text = (await page.locator("#t-msg").textContent()) ?? "";
    assert.match(text, /^(Rejected|Refused)/);
    assert.ok(text.length > "Rejected SIM.1: ".length, text);
    await page.locator("#t-volume").fill("1");
  });

  test("the main view is kept as a screenshot", async () => {
    mkdirSync("test-artifacts", { recursive: true });
    await page.screenshot({ path: "test-artifacts/web-main.png" });
  });

  test("a wrong or a missing token gets the login page and the API answers 401", async () => {
    const other = await browser.newPage();
    try {
      const wrong = await other.goto(`${t.web.url}/?token=wrong`);
      assert.equal(wrong?.status(), 401);
      await other.locator("form#login").waitFor();
      const none = await other.goto(`${t.web.url}/`);
      assert.equal(none?.status(), 401);
      await other.locator("form#login").waitFor();
      const api = await other.goto(`${t.web.url}/api/orders`);
      assert.equal(api?.status(), 401);
    } finally {
      await other.close();
    }
  });

  test("the page reconnects by itself after the server restarts", async () => {
    const port = t.web.port;
    await t.web.close();
    await page.locator("#conn", { hasText: "reconnecting" }).waitFor();
    // The same token signs the same sessions: the page's cookie is still good.
    const web = await startWebServer(t.main, { port, token: TOKEN });
    Object.assign(t, { web });
    await page.locator("#conn", { hasText: "live" }).waitFor();
    const before = await rowOf("rb2410.SHFE").textContent();
    await page.waitForFunction(([sel, v]) => document.querySelector(sel)?.textContent !== v, [`#watch-body tr[data-vt="rb2410.SHFE"]`, before] as const);
  });
});
