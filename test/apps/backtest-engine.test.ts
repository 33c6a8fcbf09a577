/* The backtester's API around the replay: parameters, history, repeated runs, results, analysis. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  analyzeTrades,
  BacktestingEngine,
  formatStatistics,
  TW_BACKTEST_HISTORY,
  TW_BACKTEST_NO_DATA,
  TW_BACKTEST_NO_STRATEGY,
  TW_BACKTEST_BAD_OPTION,
  TW_BACKTEST_RUNNING,
} from "../../src/apps/backtest/index.js";
import { CtaTemplate } from "../../src/strategy/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { createTrade, Direction, Exchange, type BarData } from "../../src/trader/index.js";
import { DoubleMaStrategy } from "../../examples/strategies/double-ma.js";
import { randomBars } from "../strategy/host.js";
import { GOLDEN_PARAMETERS, goldenBars } from "./golden.js";

const code = (c: string) => (err: unknown) => isTickwireError(err, c);

test("bad parameters are refused with TW_BACKTEST_BAD_OPTION and a message saying what to pass", () => {
  const e = new BacktestingEngine();
  assert.throws(() => e.setParameters({ vtSymbol: "rb2410" }), code(TW_BACKTEST_BAD_OPTION));
  assert.throws(() => e.setParameters({ vtSymbol: "rb2410.SHFE", size: 0 }), code(TW_BACKTEST_BAD_OPTION));
  assert.throws(() => e.setParameters({ vtSymbol: "rb2410.SHFE", timezone: "Mars/Base" }), code(TW_BACKTEST_BAD_OPTION));
  assert.throws(() => e.setParameters({ vtSymbol: "rb2410.SHFE", start: "not a date" }), code(TW_BACKTEST_BAD_OPTION));
  assert.throws(() => e.setParameters({ vtSymbol: "rb2410.SHFE", start: "2024-02-01", end: "2024-01-01" }), code(TW_BACKTEST_BAD_OPTION));
});

test("history out of time order stops the run with TW_BACKTEST_HISTORY", async () => {
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE" });
  e.addStrategy(DoubleMaStrategy);
  const bars = randomBars(3);
  e.setHistory([bars[0], bars[2], bars[1]]);
  await assert.rejects(e.runBacktesting(), code(TW_BACKTEST_HISTORY));
  assert.throws(() => e.setHistory(randomBars(1).map((b) => ({ datetime: b.datetime }) as unknown as BarData)), code(TW_BACKTEST_HISTORY));
});

test("running without a strategy or without history says which call is missing", async () => {
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE" });
  await assert.rejects(e.runBacktesting(), code(TW_BACKTEST_NO_STRATEGY));
  e.addStrategy(DoubleMaStrategy);
  await assert.rejects(e.runBacktesting(), code(TW_BACKTEST_NO_DATA));
});

test("a second run gives the same trades and statistics as the first (a fresh strategy each run)", async () => {
  const e = new BacktestingEngine();
  e.setParameters(GOLDEN_PARAMETERS);
  e.addStrategy(DoubleMaStrategy, { fastWindow: 5, slowWindow: 20 });
  e.setHistory(goldenBars().slice(0, 5000));
  await e.runBacktesting();
  e.calculateResult();
  const first = { trades: e.getAllTrades(), stats: e.calculateStatistics() };
  await e.runBacktesting();
  e.calculateResult();
  assert.deepEqual(e.getAllTrades(), first.trades);
  assert.deepEqual(e.calculateStatistics(), first.stats);
});

test("start and end choose the bars replayed; loadBar replays the days before start", async () => {
  const bars = randomBars(3 * 1440, 3, Date.UTC(2024, 0, 1));
  class Warm extends CtaTemplate {
    warm = 0;
    live = 0;
    override onInit(): void {
      this.loadBar(1, undefined, () => void this.warm++);
    }
    override onBar(_b: BarData): void {
      this.live++;
    }
  }
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE", start: "2024-01-02T00:00:00Z", end: "2024-01-02T23:59:00Z" });
  const s = e.addStrategy(Warm) as Warm;
  e.setHistory(bars);
  await e.runBacktesting();
  assert.equal(s.warm, 1440);
  assert.equal(s.live, 1440);
  assert.deepEqual(
    e.getAllDailyResults().map((d) => d.date),
    ["2024-01-02"],
  );
});

test("with no trade there are no daily rows and every statistic is zero", async () => {
  class Idle extends CtaTemplate {}
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE", capital: 5000 });
  e.addStrategy(Idle);
  e.setHistory(randomBars(100));
  await e.runBacktesting();
  assert.deepEqual(e.calculateResult(), []);
  const s = e.calculateStatistics();
  assert.equal(s.capital, 5000);
  assert.equal(s.startDate, "");
  assert.equal(s.totalDays, 0);
});

test("once the balance reaches zero every statistic is zero but the capital", async () => {
  const e = new BacktestingEngine();
  e.setParameters({ ...GOLDEN_PARAMETERS, capital: 1000 });
  e.addStrategy(DoubleMaStrategy);
  e.setHistory(goldenBars().slice(0, 3000));
  await e.runBacktesting();
  assert.ok(e.calculateResult().some((d) => d.balance <= 0));
  const s = e.calculateStatistics();
  assert.equal(s.capital, 1000);
  assert.equal(s.endBalance, 0);
  assert.equal(s.sharpeRatio, 0);
  assert.equal(s.endDate, "");
});

test("trades pair first in, first out into round trips with P&L after costs, win rate and streaks", () => {
  const t = (id: number, direction: Direction, price: number, volume: number, minute: number) =>
    createTrade({
      gatewayName: "B",
      symbol: "rb2410",
      exchange: Exchange.SHFE,
      orderid: String(id),
      tradeid: String(id),
      direction,
      price,
      volume,
      datetime: minute * 60_000,
    });
  const a = analyzeTrades(
    [
      t(1, Direction.LONG, 100, 2, 0),
      t(2, Direction.SHORT, 110, 3, 10),
      t(3, Direction.LONG, 115, 1, 20),
      t(4, Direction.LONG, 100, 1, 30),
      t(5, Direction.SHORT, 90, 1, 40),
    ],
    { size: 10, rate: 0, slippage: 1 },
  );
  assert.deepEqual(
    a.roundTrips.map((r) => [r.direction, r.entryPrice, r.exitPrice, r.volume, r.netPnl, r.holdingMs / 60_000]),
    [
      ["LONG", 100, 110, 2, 200 - 40, 10],
      ["SHORT", 110, 115, 1, -50 - 20, 10],
      ["LONG", 100, 90, 1, -100 - 20, 10],
    ],
  );
  assert.equal(a.winning, 1);
  assert.equal(a.losing, 2);
  assert.equal(a.winRate, 1 / 3);
  assert.equal(a.profitFactor, 160 / 190);
  assert.equal(a.maxLossStreak, 2);
  assert.equal(a.maxWinStreak, 1);
  assert.equal(a.openVolume, 0);
});

test("formatStatistics prints every statistic on its own aligned line", async () => {
  const e = new BacktestingEngine();
  e.setParameters(GOLDEN_PARAMETERS);
  e.addStrategy(DoubleMaStrategy);
  e.setHistory(goldenBars());
  await e.runBacktesting();
  e.calculateResult();
  const text = formatStatistics(e.calculateStatistics(), e.analyzeTrades());
  const lines = text.split("\n");
  assert.equal(lines.length, 28 + 10);
  assert.match(text, /Total net P&L\s+-24,111\.81/);
  assert.match(text, /First trading day\s+2024-01-02/);
  assert.equal(new Set(lines.map((l) => l.length)).size, 1);
});

test("a second runBacktesting while one runs is refused with TW_BACKTEST_RUNNING", async () => {
  class Slow extends CtaTemplate {
    override async onInit(): Promise<void> {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE" });
  e.addStrategy(Slow);
  e.setHistory(randomBars(10));
  const first = e.runBacktesting();
  await assert.rejects(e.runBacktesting(), code(TW_BACKTEST_RUNNING));
  await first;
  await e.runBacktesting();
});

test("progress is reported as the in-memory history is replayed, ending at its length", async () => {
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE" });
  e.addStrategy(DoubleMaStrategy);
  e.setHistory(randomBars(1000));
  const seen: [number, number | undefined][] = [];
  await e.runBacktesting({ onProgress: (done, total) => seen.push([done, total]), progressEvery: 300 });
  assert.deepEqual(seen, [
    [300, 1000],
    [600, 1000],
    [900, 1000],
    [1000, 1000],
  ]);
});

test("each date's close is its last bar's in the time zone, across daylight-saving changes and midnight", async () => {
  class Idle extends CtaTemplate {
    override onBar(): void {}
  }
  const tz = "America/New_York";
  const localDate = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
  for (const day of [Date.UTC(2024, 2, 9), Date.UTC(2024, 10, 2)]) {
    // Every 20 minutes for three days around the change (2024-03-10 and 2024-11-03 in New York).
    const bars = randomBars(3 * 72).map((b, i) => ({ ...b, datetime: day + i * 20 * 60_000 }));
    const e = new BacktestingEngine();
    e.setParameters({ vtSymbol: "rb2410.SHFE", timezone: tz });
    e.addStrategy(Idle);
    e.setHistory(bars);
    await e.runBacktesting();
    const expected = new Map<string, number>();
    for (const b of bars) expected.set(localDate.format(b.datetime), b.closePrice);
    assert.deepEqual(
      e.getAllDailyResults().map((d) => [d.date, d.closePrice]),
      [...expected],
    );
    assert.equal(expected.size, 4);
  }
});
