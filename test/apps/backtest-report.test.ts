import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { BacktestingEngine } from "../../src/apps/backtest/index.js";
import { tradeKind } from "../../src/apps/backtest/report.js";
import DoubleMaStrategy from "../../examples/strategies/double-ma.js";
import { GOLDEN_PARAMETERS, goldenBars } from "./golden.js";

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tw-report-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

async function report(): Promise<{ file: string; engine: BacktestingEngine }> {
  const engine = new BacktestingEngine();
  engine.setParameters({ ...GOLDEN_PARAMETERS });
  engine.addStrategy(DoubleMaStrategy, { fastWindow: 10, slowWindow: 30 });
  engine.setHistory(goldenBars());
  await engine.runBacktesting();
  engine.calculateResult();
  const file = join(dir, "report.html");
  await engine.writeReport(file);
  return { file, engine };
}

test("the report is one file with the chart library and every trade inlined, loading nothing", async () => {
  const { file, engine } = await report();
  const html = readFileSync(file, "utf8");
  // Booleans, not matches: a failing match would print the whole inlined library.
  assert.equal(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=/i.test(html), false, "the report references an outside file");
  assert.equal(html.includes("window.LightweightCharts"), true, "the chart library is not inlined");
  const data = JSON.parse(/const DATA=(.*);\n/.exec(html)![1]) as { trades: unknown[][]; trips: unknown[]; bars: { t: number[] } };
  const trades = engine.getAllTrades();
  assert.equal(data.trades.length, trades.length);
  assert.deepEqual(
    data.trades.map((t) => t[1]),
    trades.map(tradeKind),
  );
  assert.deepEqual(new Set(data.trades.map((t) => t[1])), new Set(["buy", "sell", "short", "cover"]));
  assert.equal(data.trips.length, engine.analyzeTrades().count);
  assert.equal(data.bars.t.length, 20_000);
});

test("the report opens in Chromium with no console errors and no network, and draws its charts", { timeout: 60_000 }, async () => {
  const { file } = await report();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
    const problems: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
    page.on("pageerror", (e) => void problems.push(String(e)));
    page.on("request", (r) => void (r.url().startsWith("file:") || problems.push(`request to ${r.url()}`)));
    await page.goto(`file://${file}`, { waitUntil: "load" });
    // Each chart draws into canvases inside its container.
    for (const id of ["candles", "balance", "drawdown", "pnl", "dist"]) {
      await page.waitForSelector(`#${id} canvas`);
    }
    assert.match((await page.textContent("#stats")) ?? "", /Sharpe ratio/);
    assert.match((await page.textContent("#params")) ?? "", /fastWindow\s*10/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "backtest-report.png"), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
