/* vnpy's fill rules and the strict model, each on hand-made bars (or ticks). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { roundTo as strategyRoundTo } from "../../src/strategy/index.js";
import { BacktestingEngine, roundTo, TW_BACKTEST_STRATEGY_ERROR, type BacktestParameters } from "../../src/apps/backtest/index.js";
import { CtaTemplate, type StopOrder } from "../../src/strategy/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { createBar, createTick, Exchange, type BarData, type OrderData, type TickData, type TradeData } from "../../src/trader/index.js";

const T0 = Date.UTC(2024, 0, 2, 9);

function bar(i: number, o: number, h: number, l: number, c: number, volume = 100): BarData {
  return createBar({
    gatewayName: "T",
    symbol: "rb2410",
    exchange: Exchange.SHFE,
    datetime: T0 + i * 60_000,
    openPrice: o,
    highPrice: h,
    lowPrice: l,
    closePrice: c,
    volume,
  });
}

type Action = (s: Scripted, data: BarData | TickData) => void;

/** Runs the action scripted for each bar index and records every callback in order. */
class Scripted extends CtaTemplate {
  static script: Record<number, Action> = {};
  static onTradeAction: Action | null = null;
  events: string[] = [];
  private i = 0;
  override onBar(bar: BarData): void {
    this.events.push(`bar ${this.i}`);
    Scripted.script[this.i++]?.(this, bar);
  }
  override onTick(tick: TickData): void {
    this.events.push(`tick ${this.i}`);
    Scripted.script[this.i++]?.(this, tick);
  }
  override onOrder(o: OrderData): void {
    this.events.push(`order ${o.orderid} ${o.status}`);
  }
  override onTrade(t: TradeData): void {
    this.events.push(`trade ${t.orderid} ${t.price} pos ${this.pos}`);
    const a = Scripted.onTradeAction;
    Scripted.onTradeAction = null;
    a?.(this, t as unknown as BarData);
  }
  override onStopOrder(s: StopOrder): void {
    this.events.push(`stop ${s.stopOrderid} ${s.status}`);
  }
}

async function run(history: BarData[] | TickData[], script: Record<number, Action>, params: Partial<BacktestParameters> = {}): Promise<BacktestingEngine> {
  Scripted.script = script;
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE", size: 10, pricetick: 1, ...params });
  e.addStrategy(Scripted);
  e.setHistory(history);
  await e.runBacktesting();
  return e;
}

const fills = (e: BacktestingEngine): [string, number, number, string][] =>
  e.getAllTrades().map((t) => [t.direction, t.price, t.volume, new Date(t.datetime).toISOString().slice(11, 16)]);

test("a buy limit fills on the next bar when its price is at or above the low, at the lower of price and open", async () => {
  const e = await run([bar(0, 100, 100, 100, 100), bar(1, 100, 101, 95, 98)], { 0: (s) => (s.buy(105, 1), s.buy(97, 1), s.buy(95, 1), s.buy(94, 1)) });
  assert.deepEqual(
    fills(e).map((f) => f[1]),
    [100, 97, 95],
  );
  assert.equal(e.getAllOrders()[3].status, "NOTTRADED");
});

test("a sell limit fills when its price is at or below the high, at the higher of price and open", async () => {
  const e = await run([bar(0, 100, 100, 100, 100), bar(1, 100, 105, 99, 101)], {
    0: (s) => (s.sell(95, 1), s.short(103, 1), s.short(105, 1), s.short(106, 1)),
  });
  assert.deepEqual(
    fills(e).map((f) => f[1]),
    [100, 103, 105],
  );
});

test("a buy stop triggers when the high reaches it, at the higher of stop and open; a sell stop at the lower", async () => {
  const e = await run([bar(0, 100, 100, 100, 100), bar(1, 102, 106, 94, 100)], {
    0: (s) => (
      s.buy(104, 1, { stop: true }),
      s.buy(101, 1, { stop: true }),
      s.buy(107, 1, { stop: true }),
      s.short(96, 1, { stop: true }),
      s.short(103, 1, { stop: true })
    ),
  });
  assert.deepEqual(
    fills(e).map((f) => [f[0], f[1]]),
    [
      ["LONG", 104],
      ["LONG", 102],
      ["SHORT", 96],
      ["SHORT", 102],
    ],
  );
  assert.deepEqual(
    e.getAllStopOrders().map((s) => s.status),
    ["TRIGGERED", "TRIGGERED", "WAITING", "TRIGGERED", "TRIGGERED"],
  );
});

test("an order sent on a bar never fills on that bar, and is announced NOTTRADED before it fills on the next", async () => {
  const e = await run([bar(0, 100, 110, 90, 100), bar(1, 100, 110, 90, 100)], { 0: (s) => s.buy(100, 1) });
  assert.deepEqual(fills(e)[0][3], "09:01");
  const s = e.strategy as Scripted;
  assert.deepEqual(s.events, ["bar 0", "order 1 NOTTRADED", "order 1 ALLTRADED", "trade 1 100 pos 1", "bar 1"]);
});

test("limit orders are crossed before stop orders, and both before onBar", async () => {
  const e = await run([bar(0, 100, 100, 100, 100), bar(1, 100, 105, 95, 100)], { 0: (s) => (s.buy(103, 1, { stop: true }), s.buy(99, 1)) });
  assert.deepEqual(
    e.getAllTrades().map((t) => t.orderid),
    ["1", "2"],
  );
  assert.deepEqual(
    e.getAllOrders().map((o) => [o.orderid, o.type]),
    [
      ["1", "LIMIT"],
      ["2", "STOP"],
    ],
  );
  assert.equal((e.strategy as Scripted).events.at(-1), "bar 1");
});

test("vnpy fills a stop order sent from onTrade on the same bar (#3521); the strict model waits for the next bar", async () => {
  const history = [bar(0, 100, 100, 100, 100), bar(1, 100, 105, 95, 100), bar(2, 100, 105, 95, 100)];
  const script = {
    0: (s: Scripted) => {
      s.buy(100, 1);
      Scripted.onTradeAction = (t) => void t.sell(97, 1, { stop: true });
    },
  };
  const vnpy = await run(history, script);
  assert.deepEqual(
    fills(vnpy).map((f) => f[3]),
    ["09:01", "09:01"],
  );
  const strict = await run(history, script, { fillModel: "strict" });
  assert.deepEqual(
    fills(strict).map((f) => f[3]),
    ["09:01", "09:02"],
  );
});

test("in the strict model a limit at the touch fills only once the price trades through it", async () => {
  const history = [bar(0, 100, 100, 100, 100), bar(1, 100, 104, 95, 100), bar(2, 100, 104, 94, 100)];
  const e = await run(history, { 0: (s) => (s.buy(95, 1), s.short(104, 1)) }, { fillModel: "strict" });
  assert.deepEqual(fills(e), [["LONG", 95, 1, "09:02"]]);
  const v = await run(history, { 0: (s) => (s.buy(95, 1), s.short(104, 1)) });
  assert.deepEqual(
    fills(v).map((f) => f[3]),
    ["09:01", "09:01"],
  );
});

test("in the strict model the bar's volume caps the fills of all orders together, the rest filling later", async () => {
  const history = [bar(0, 100, 100, 100, 100), bar(1, 100, 105, 95, 100, 5), bar(2, 100, 105, 95, 100, 10)];
  const e = await run(history, { 0: (s) => (s.buy(100, 4), s.buy(100, 4)) }, { fillModel: "strict" });
  assert.deepEqual(fills(e), [
    ["LONG", 100, 4, "09:01"],
    ["LONG", 100, 1, "09:01"],
    ["LONG", 100, 3, "09:02"],
  ]);
  assert.deepEqual(
    e.getAllOrders().map((o) => [o.traded, o.status]),
    [
      [4, "ALLTRADED"],
      [4, "ALLTRADED"],
    ],
  );
  const s = e.strategy as Scripted;
  assert.ok(s.events.includes("order 2 PARTTRADED"));
  assert.equal(s.pos, 8);
});

test("in tick mode limits fill against ask1/bid1 and stops trigger on the last price", async () => {
  const tick = (i: number, last: number, bid: number, ask: number): TickData =>
    createTick({
      gatewayName: "T",
      symbol: "rb2410",
      exchange: Exchange.SHFE,
      datetime: T0 + i * 500,
      lastPrice: last,
      bidPrice1: bid,
      askPrice1: ask,
      bidVolume1: 5,
      askVolume1: 5,
    });
  const ticks = [tick(0, 100, 99, 101), tick(1, 102, 101, 103)];
  const e = await run(ticks, { 0: (s) => (s.buy(103, 1), s.buy(102, 1), s.short(101, 1), s.buy(102, 1, { stop: true })) }, { mode: "tick" });
  assert.deepEqual(
    fills(e).map((f) => [f[0], f[1]]),
    [
      ["LONG", 103],
      ["SHORT", 101],
      ["LONG", 102],
    ],
  );
});

test("roundTo lives in the strategy layer, and the backtest app re-exports the same function", () => {
  assert.equal(typeof strategyRoundTo, "function");
  assert.equal(roundTo, strategyRoundTo);
  assert.equal(strategyRoundTo(2.5, 1), 2);
});

test("order prices are rounded to the price tick half to even at send time", async () => {
  assert.equal(roundTo(2.5, 1), 2);
  assert.equal(roundTo(3.5, 1), 4);
  assert.equal(roundTo(100.26, 0.5), 100.5);
  const e = await run([bar(0, 100, 100, 100, 100)], { 0: (s) => s.buy(100.5, 1) });
  assert.equal(e.getAllOrders()[0].price, 100);
});

test("orders sent on the last bar stay SUBMITTING and an open position is not closed", async () => {
  const e = await run([bar(0, 100, 100, 100, 100), bar(1, 100, 100, 100, 100)], { 0: (s) => s.buy(100, 1), 1: (s) => s.buy(100, 1) });
  assert.deepEqual(
    e.getAllOrders().map((o) => o.status),
    ["ALLTRADED", "SUBMITTING"],
  );
  assert.equal(e.strategy!.pos, 1);
});

test("a strategy that throws stops the backtest with TW_BACKTEST_STRATEGY_ERROR naming the bar", async () => {
  await assert.rejects(
    run([bar(0, 100, 100, 100, 100), bar(1, 100, 100, 100, 100)], {
      1: () => {
        throw new Error("boom");
      },
    }),
    (err) => isTickwireError(err, TW_BACKTEST_STRATEGY_ERROR) && /boom/.test(err.message) && /09:01/.test(err.message),
  );
});

test("an async onBar is awaited before the next bar", async () => {
  class Slow extends CtaTemplate {
    seen: string[] = [];
    override async onBar(b: BarData): Promise<void> {
      await new Promise((r) => setTimeout(r, 1));
      this.seen.push(String(b.closePrice));
      if (b.closePrice === 1) this.buy(1, 1);
    }
    override onTrade(): void {
      this.seen.push("trade");
    }
  }
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE" });
  e.addStrategy(Slow);
  e.setHistory([bar(0, 1, 1, 1, 1), bar(1, 1, 2, 1, 2), bar(2, 2, 3, 2, 3)]);
  await e.runBacktesting();
  assert.deepEqual((e.strategy as Slow).seen, ["1", "trade", "2", "3"]);
});

test("in the strict tick model a second run on the same engine fills as the first (the touch's size taken is per run)", async () => {
  const tick = (i: number): TickData =>
    createTick({
      gatewayName: "T",
      symbol: "rb2410",
      exchange: Exchange.SHFE,
      datetime: T0 + i * 500,
      lastPrice: 100,
      bidPrice1: 99,
      askPrice1: 101,
      bidVolume1: 5,
      askVolume1: 5,
    });
  Scripted.script = { 0: (s) => (s.buy(102, 4), s.buy(102, 4)) };
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE", size: 10, pricetick: 1, mode: "tick", fillModel: "strict" });
  e.addStrategy(Scripted);
  e.setHistory([tick(0), tick(1), tick(2)]);
  await e.runBacktesting();
  const first = fills(e);
  // The touch holds 5: 4 + 1 on the first tick after the orders, the other 3 on the next.
  assert.deepEqual(
    first.map((f) => f[2]),
    [4, 1, 3],
  );
  await e.runBacktesting();
  assert.deepEqual(fills(e), first);
});
