import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestingEngine } from "../../src/apps/backtest/index.js";
import { CtaApp } from "../../src/apps/cta/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { Exchange, Interval, MainEngine, createHistoryRequest, type BarData, type TradeData } from "../../src/trader/index.js";
import { ParityMaStrategy } from "../fixtures/cta-ma-strategy.js";

const START = Date.UTC(2024, 2, 5, 1, 0);
const DAY_MS = 86_400_000;
const MINUTES = 150;
const TICKS_PER_MINUTE = 12; // tickRate 0.2

const ohlc = (b: BarData) => [b.datetime, b.openPrice, b.highPrice, b.lowPrice, b.closePrice];

/** What a fill says about the decision behind it: the bar its order was sent on, side, offset, volume. */
function fills(trades: readonly TradeData[], orderBar: ReadonlyMap<string, number>, before: number) {
  return trades
    .map((t) => ({ bar: orderBar.get(t.vtOrderid) ?? -1, direction: t.direction, offset: t.offset, volume: t.volume }))
    .filter((f) => f.bar < before);
}

test("a strategy run live on the sim and backtested on the sim's own bars sees the same bars and sends the same orders", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-cta-parity-"));
  const main = new MainEngine(undefined, { log: false });
  try {
    const gw = main.addGateway(SimGateway);
    await main.connect({ seed: 11, startTime: START, tickRate: TICKS_PER_MINUTE / 60, instruments: "rb2410.SHFE" }, "SIM");
    const cta = main.addApp(CtaApp);
    cta.configure({ stateFile: join(dir, "cta.json") });
    await cta.addStrategy(ParityMaStrategy, "ma", "rb2410.SHFE", {});
    await cta.initStrategy("ma");
    await cta.startStrategy("ma");
    // One tick at a time, each dispatched (strategy, sim fills, strategy again) before the next.
    for (let i = 0; i < MINUTES * TICKS_PER_MINUTE; i++) {
      gw.generateTicks(1);
      await main.eventEngine.waitForIdle();
    }
    const live = cta.getStrategy("ma") as ParityMaStrategy;
    const lastBar = live.bars[live.bars.length - 1].datetime;
    const liveTrades = main.getAllTrades();

    // The backtest: the sim's own history over the live run, and the day before it for loadBar.
    const history = gw.queryHistory(
      createHistoryRequest({ symbol: "rb2410", exchange: Exchange.SHFE, start: START - DAY_MS, end: lastBar + 60_000, interval: Interval.MINUTE }),
    );
    const contract = main.getContract("rb2410.SHFE")!;
    const engine = new BacktestingEngine();
    engine.setParameters({
      vtSymbol: "rb2410.SHFE",
      interval: Interval.MINUTE,
      start: START,
      end: lastBar,
      size: contract.size,
      pricetick: contract.priceTick,
    });
    engine.addStrategy(ParityMaStrategy, {});
    engine.setHistory(history);
    await engine.runBacktesting();
    const backtested = engine.strategy as ParityMaStrategy;

    // Same bars: the day of warm-up from queryHistory, then the BarGenerator's bars of the live ticks.
    assert.equal(live.bars.length, backtested.bars.length);
    assert.ok(live.bars.filter((b) => b.datetime >= START).length >= MINUTES - 2, "the live bars cover the run");
    assert.deepEqual(live.bars.map(ohlc), backtested.bars.map(ohlc));
    // Same decisions: every order, with the bar it was sent on, side, offset, price and volume.
    assert.ok(live.signals.length >= 6, `the run must trade enough to be a check (got ${live.signals.length} orders)`);
    assert.deepEqual(live.signals, backtested.signals);
    // Same fills but for prices (live fills against the book, the backtester at the next bar's open)
    // and the orders of the last bar, which the backtester has no next bar to fill.
    const liveFills = fills(liveTrades, live.orderBars, lastBar);
    assert.deepEqual(liveFills, fills(engine.getAllTrades(), backtested.orderBars, lastBar));
    assert.equal(liveFills.length, live.signals.filter((s) => s.bar < lastBar).length, "every order filled before the next bar");
    for (const t of liveTrades) {
      const order = main.getOrder(t.vtOrderid)!;
      assert.ok(t.direction === "LONG" ? t.price <= order.price : t.price >= order.price, "a live fill is at its limit or better");
    }
  } finally {
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
