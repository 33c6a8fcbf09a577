/*
 * The golden case: vnpy 4.3.0's BacktestingEngine on 20,000 bars of rb2410.SHFE with the double
 * moving-average cross (test/fixtures/golden/README.md). Trades, orders and daily rows must be
 * the same, the 28 statistics equal to 1e-6 relative.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BacktestingEngine } from "../../src/apps/backtest/index.js";
import { DoubleMaStrategy } from "../../examples/strategies/double-ma.js";
import { GOLDEN_PARAMETERS, goldenBars, goldenReport } from "./golden.js";

const report = goldenReport();
const engine = new BacktestingEngine();
engine.setParameters(GOLDEN_PARAMETERS);
engine.addStrategy(DoubleMaStrategy, { fastWindow: 10, slowWindow: 30 });
engine.setHistory(goldenBars());
await engine.runBacktesting();
const daily = engine.calculateResult();
const firstRows = daily.map((d) => ({ ...d }));
const stats = engine.calculateStatistics();

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "+00:00");
const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

test("the trades are vnpy's, in fill order", () => {
  const ours = engine.getAllTrades().map((t) => ({
    tradeid: t.tradeid,
    orderid: t.orderid,
    datetime: iso(t.datetime),
    direction: t.direction,
    offset: t.offset,
    price: t.price,
    volume: t.volume,
  }));
  assert.equal(ours.length, report.trades.length);
  assert.deepEqual(ours, report.trades);
});

test("the orders are vnpy's, in send order with their last status", () => {
  const ours = engine.getAllOrders().map((o) => ({
    orderid: o.orderid,
    datetime: iso(o.datetime),
    direction: o.direction,
    offset: o.offset,
    price: o.price,
    volume: o.volume,
    traded: o.traded,
    status: o.status,
  }));
  assert.equal(ours.length, report.meta.order_count);
  assert.deepEqual(ours, report.orders);
  assert.equal(engine.strategy!.pos, report.meta.final_pos);
});

test("the daily rows are vnpy's, every column", () => {
  assert.equal(daily.length, report.daily.length);
  for (let i = 0; i < daily.length; i++) {
    const row: Record<string, unknown> = {};
    for (const k of Object.keys(report.daily[i])) row[k] = (daily[i] as unknown as Record<string, unknown>)[camel(k)];
    assert.deepEqual(row, report.daily[i], `day ${report.daily[i].date}`);
  }
});

test("the 28 statistics equal vnpy's to 1e-6 relative", () => {
  const keys = Object.keys(report.statistics);
  assert.equal(keys.length, 28);
  for (const k of keys) {
    const want = report.statistics[k];
    const got = (stats as unknown as Record<string, unknown>)[camel(k)];
    if (typeof want === "string") assert.equal(got, want, k);
    else {
      assert.equal(typeof got, "number", k);
      const tol = 1e-6 * Math.abs(want);
      assert.ok(Math.abs((got as number) - want) <= tol, `${k}: ${String(got)} vs ${want}`);
    }
  }
});

test("the statistics are bit for bit vnpy's when its summation orders are followed", () => {
  const differ = Object.keys(report.statistics).filter((k) => (stats as unknown as Record<string, unknown>)[camel(k)] !== report.statistics[k]);
  assert.deepEqual(differ, []);
});

test("calculateResult twice gives the same rows (vnpy adds the trades again)", () => {
  const again = engine.calculateResult().map((d) => ({ ...d }));
  assert.deepEqual(again, firstRows);
});

test("days grouped by Asia/Shanghai dates split the same trades differently, as vnpy's do", async () => {
  const sh = new BacktestingEngine();
  sh.setParameters({ ...GOLDEN_PARAMETERS, timezone: "Asia/Shanghai" });
  sh.addStrategy(DoubleMaStrategy, { fastWindow: 10, slowWindow: 30 });
  sh.setHistory(goldenBars());
  await sh.runBacktesting();
  const rows = sh.calculateResult();
  assert.equal(rows.length, 15);
  assert.equal(sh.getAllTrades().length, report.trades.length);
  assert.equal(sh.calculateStatistics().totalNetPnl, -24111.810000000005);
  assert.notDeepEqual(
    rows.map((d) => d.tradeCount),
    daily.map((d) => d.tradeCount),
  );
});
