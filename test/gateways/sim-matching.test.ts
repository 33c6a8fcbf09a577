import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SimExchange, type SimInstrument, type SimOrder, type SimTrade } from "../../src/gateways/sim/index.js";
import { Direction, Exchange, Offset, OrderType, Product, Status } from "../../src/trader/constants.js";

/** A market whose price never moves (volatility 0): the book bounces between 999/1000 and 1000/1001. */
const FLAT: SimInstrument = {
  symbol: "FLAT",
  exchange: Exchange.SIM,
  name: "Flat future",
  product: Product.FUTURES,
  priceTick: 1,
  size: 10,
  minVolume: 1,
  initialPrice: 1000,
  volatility: 0,
  drift: 0,
  marginRate: 0.1,
  commissionRate: 0.001,
  limitPct: 0.05,
  spreadTicks: 1,
  depth: 4,
  tickLots: 3,
  openInterest: 1000,
  netPosition: false,
};
/** A volatile market, for stops. */
const WILD: SimInstrument = { ...FLAT, symbol: "WILD", volatility: 3, limitPct: 0 };
/** A cash product traded in lots of 100. */
const STOCK: SimInstrument = {
  ...FLAT,
  symbol: "STK",
  product: Product.EQUITY,
  priceTick: 0.01,
  size: 1,
  minVolume: 100,
  initialPrice: 50,
  marginRate: 1,
  commissionRate: 0,
  limitPct: 0.1,
  depth: 50,
  netPosition: true,
  openInterest: 0,
};

const START = Date.UTC(2024, 0, 2, 1, 0);

interface Recorded {
  ex: SimExchange;
  orders: { id: string; status: Status; traded: number; reason: string }[];
  trades: SimTrade[];
}

function open(capital = 1_000_000, instruments: SimInstrument[] = [FLAT, WILD, STOCK]): Recorded {
  const ex = new SimExchange({ instruments, seed: 42, tickRate: 1, startTime: START, capital });
  const rec: Recorded = { ex, orders: [], trades: [] };
  ex.listener = {
    onOrder: (o) => rec.orders.push({ id: o.orderid, status: o.status, traded: o.traded, reason: o.reason }),
    onTrade: (t) => rec.trades.push({ ...t }),
    onPosition: () => {},
    onAccount: () => {},
  };
  return rec;
}

function statuses(rec: Recorded, order: SimOrder): Status[] {
  return rec.orders.filter((o) => o.id === order.orderid).map((o) => o.status);
}

/** Steps the market until `pred` holds for FLAT (bounded). */
function stepUntil(ex: SimExchange, pred: () => boolean): void {
  for (let i = 0; i < 10_000; i++) {
    if (pred()) return;
    ex.step();
  }
  assert.fail("the market never reached the wanted state");
}

function buy(ex: SimExchange, type: OrderType, volume: number, price = 0, symbol = "FLAT", offset: Offset = Offset.OPEN): SimOrder {
  return ex.sendOrder({ symbol, exchange: Exchange.SIM, direction: Direction.LONG, type, volume, price, offset });
}

function sell(ex: SimExchange, type: OrderType, volume: number, price = 0, symbol = "FLAT", offset: Offset = Offset.OPEN): SimOrder {
  return ex.sendOrder({ symbol, exchange: Exchange.SIM, direction: Direction.SHORT, type, volume, price, offset });
}

describe("matching", () => {
  test("a buy limit at the ask crosses at once and fills at the ask", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    const ask = m.askPrice[0];
    const order = buy(rec.ex, OrderType.LIMIT, 1, ask);
    assert.deepEqual(statuses(rec, order), [Status.SUBMITTING, Status.NOTTRADED, Status.ALLTRADED]);
    assert.equal(rec.trades.length, 1);
    assert.equal(rec.trades[0].price, ask);
    assert.equal(rec.trades[0].volume, 1);
  });

  test("a buy limit above the ask fills at the book's prices, not at its limit", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    const v = m.askVolume[0];
    buy(rec.ex, OrderType.LIMIT, v + 1, m.askPrice[0] + 3);
    assert.deepEqual(
      rec.trades.map((t) => [t.price, t.volume]),
      [
        [m.askPrice[0], v],
        [m.askPrice[1], 1],
      ],
    );
  });

  test("a buy limit below the ask rests, then fills at its price when the book comes to it", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    stepUntil(rec.ex, () => m.askPrice[0] === 1001);
    const order = buy(rec.ex, OrderType.LIMIT, 1, 1000);
    assert.equal(order.status, Status.NOTTRADED);
    assert.equal(rec.trades.length, 0);
    stepUntil(rec.ex, () => order.status !== Status.NOTTRADED);
    assert.equal(m.askPrice[0], 1000);
    assert.equal(order.status, Status.ALLTRADED);
    assert.deepEqual(
      rec.trades.map((t) => [t.price, t.volume]),
      [[1000, 1]],
    );
    assert.deepEqual(statuses(rec, order), [Status.SUBMITTING, Status.NOTTRADED, Status.ALLTRADED]);
  });

  test("a price computed as ticks × tick size (a hair off the grid) trades as the grid price it means", () => {
    // 19401 × 0.2 is 3880.2000000000003 in floating point, a hair above the bid of 3880.2.
    const TENTHS: SimInstrument = { ...FLAT, symbol: "FIFTH", priceTick: 0.2, initialPrice: 3880.2, limitPct: 0 };
    const rec = open(1_000_000, [TENTHS]);
    const m = rec.ex.getMarket("FIFTH.SIM")!;
    const price = 19401 * 0.2;
    assert.notEqual(price, 3880.2);
    stepUntil(rec.ex, () => m.bidPrice[0] === 3880.2);
    const crossing = sell(rec.ex, OrderType.LIMIT, 1, price, "FIFTH");
    assert.equal(crossing.status, Status.ALLTRADED);
    stepUntil(rec.ex, () => m.askPrice[0] > 3880.2);
    const resting = buy(rec.ex, OrderType.LIMIT, 1, price, "FIFTH");
    stepUntil(rec.ex, () => resting.status === Status.ALLTRADED);
    assert.deepEqual(
      rec.trades.map((t) => t.price),
      [3880.2, 3880.2],
    );
    assert.equal(resting.price, 3880.2);
  });

  test("a volume computed a hair off the volume grid (0.1 + 0.2) fills completely", () => {
    const COIN: SimInstrument = { ...STOCK, symbol: "COIN", minVolume: 0.001, depth: 5000 };
    const rec = open(1_000_000, [COIN]);
    const volume = 0.1 + 0.2;
    assert.notEqual(volume, 0.3);
    const order = buy(rec.ex, OrderType.MARKET, volume, 0, "COIN", Offset.NONE);
    assert.equal(order.status, Status.ALLTRADED);
    assert.equal(order.volume, 0.3);
    assert.equal(rec.ex.activeOrderCount, 0);
  });

  test("a limit larger than the touch fills partly, rests the rest, and fills more on later ticks", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    stepUntil(rec.ex, () => m.askPrice[0] === 1000);
    const atTouch = m.askVolume[0];
    const order = buy(rec.ex, OrderType.LIMIT, atTouch + 50, 1000);
    assert.equal(order.status, Status.PARTTRADED);
    assert.equal(order.traded, atTouch);
    assert.equal(rec.ex.getActiveOrder(order.orderid), order);
    stepUntil(rec.ex, () => order.traded > atTouch);
    assert.ok(rec.trades.every((t) => t.price === 1000));
    assert.deepEqual(statuses(rec, order).slice(0, 3), [Status.SUBMITTING, Status.NOTTRADED, Status.PARTTRADED]);
  });

  test("orders in the same tick share the book's liquidity", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    const atTouch = m.askVolume[0];
    const ask = m.askPrice[0];
    const first = buy(rec.ex, OrderType.LIMIT, atTouch, ask);
    const second = buy(rec.ex, OrderType.FAK, 1, ask);
    assert.equal(first.status, Status.ALLTRADED);
    assert.equal(second.status, Status.CANCELLED);
    assert.equal(second.traded, 0);
  });

  test("a market order walks the levels and fills at each level's price", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    const levels = [0, 1, 2].map((i) => [m.askPrice[i], m.askVolume[i]]);
    const volume = levels[0][1] + levels[1][1] + 1;
    const order = buy(rec.ex, OrderType.MARKET, volume);
    assert.equal(order.status, Status.ALLTRADED);
    assert.deepEqual(
      rec.trades.map((t) => [t.price, t.volume]),
      [levels[0], levels[1], [levels[2][0], 1]],
    );
  });

  test("a market order larger than five levels fills what they hold and cancels the rest", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    let depth = 0;
    for (let i = 0; i < 5; i++) depth += m.bidVolume[i];
    const order = sell(rec.ex, OrderType.MARKET, depth + 5);
    assert.equal(order.status, Status.CANCELLED);
    assert.equal(order.traded, depth);
    assert.equal(rec.trades.length, 5);
    assert.match(order.reason, /MARKET/);
  });

  test("a buy stop waits until the last price reaches it, then trades as a market order", () => {
    const rec = open();
    const m = rec.ex.getMarket("WILD.SIM")!;
    const stopPrice = m.lastPrice + 5;
    const order = buy(rec.ex, OrderType.STOP, 1, stopPrice, "WILD");
    assert.equal(order.status, Status.NOTTRADED);
    let lastBefore = 0;
    stepUntil(rec.ex, () => {
      if (order.status === Status.NOTTRADED) lastBefore = Math.max(lastBefore, m.lastPrice);
      return order.status !== Status.NOTTRADED;
    });
    assert.ok(lastBefore < stopPrice, "it did not trigger below its price");
    assert.ok(m.lastPrice >= stopPrice, "it triggered on a tick at or above its price");
    assert.equal(order.status, Status.ALLTRADED);
    assert.equal(rec.trades[0].price, m.askPrice[0]);
  });

  test("a sell stop already reached on arrival triggers at once", () => {
    const rec = open();
    const m = rec.ex.getMarket("WILD.SIM")!;
    const order = sell(rec.ex, OrderType.STOP, 1, m.lastPrice, "WILD");
    assert.equal(order.status, Status.ALLTRADED);
    assert.equal(rec.trades[0].price, m.bidPrice[0]);
  });

  test("FAK fills what the book has at its price and cancels the rest", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    const atTouch = m.askVolume[0];
    const order = buy(rec.ex, OrderType.FAK, atTouch + 2, m.askPrice[0]);
    assert.equal(order.traded, atTouch);
    assert.deepEqual(statuses(rec, order), [Status.SUBMITTING, Status.NOTTRADED, Status.PARTTRADED, Status.CANCELLED]);
    assert.equal(rec.ex.getActiveOrder(order.orderid), undefined);
  });

  test("FOK that the book cannot fill whole trades nothing and is cancelled", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    const order = buy(rec.ex, OrderType.FOK, m.askVolume[0] + 1, m.askPrice[0]);
    assert.equal(order.status, Status.CANCELLED);
    assert.equal(order.traded, 0);
    assert.equal(rec.trades.length, 0);
  });

  test("FOK that the book can fill whole trades all of it", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    const volume = m.askVolume[0] + m.askVolume[1];
    const order = buy(rec.ex, OrderType.FOK, volume, m.askPrice[1]);
    assert.equal(order.status, Status.ALLTRADED);
    assert.equal(rec.trades.length, 2);
  });

  test("cancelling a resting order makes it CANCELLED and releases the money it held", () => {
    const rec = open();
    const m = rec.ex.getMarket("FLAT.SIM")!;
    const frozenBefore = rec.ex.account.frozen;
    const order = buy(rec.ex, OrderType.LIMIT, 2, m.bidPrice[0] - 10);
    assert.ok(rec.ex.account.frozen > frozenBefore);
    assert.equal(rec.ex.cancelOrder(order.orderid), true);
    assert.equal(order.status, Status.CANCELLED);
    assert.equal(rec.ex.account.frozen, frozenBefore);
    assert.deepEqual(statuses(rec, order), [Status.SUBMITTING, Status.NOTTRADED, Status.CANCELLED]);
  });

  test("cancelling an order that already finished returns false and changes nothing", () => {
    const rec = open();
    const order = buy(rec.ex, OrderType.MARKET, 1);
    assert.equal(order.status, Status.ALLTRADED);
    assert.equal(rec.ex.cancelOrder(order.orderid), false);
    assert.equal(order.status, Status.ALLTRADED);
  });

  test("cancelling an id the exchange never gave throws TW_SIM_UNKNOWN_ORDER", () => {
    const rec = open();
    assert.throws(() => rec.ex.cancelOrder("999"), { code: "TW_SIM_UNKNOWN_ORDER" });
  });
});

describe("rejections", () => {
  function rejected(rec: Recorded, order: SimOrder, pattern: RegExp): void {
    assert.equal(order.status, Status.REJECTED);
    assert.match(order.reason, pattern);
    assert.deepEqual(statuses(rec, order), [Status.SUBMITTING, Status.REJECTED]);
    assert.equal(rec.trades.length, 0);
    assert.equal(rec.ex.activeOrderCount, 0);
  }

  test("an unknown symbol is rejected naming the listed ones", () => {
    const rec = open();
    rejected(rec, buy(rec.ex, OrderType.LIMIT, 1, 1000, "NOPE"), /unknown symbol NOPE\.SIM.*FLAT\.SIM/);
  });

  test("a volume of zero is rejected", () => {
    const rec = open();
    rejected(rec, buy(rec.ex, OrderType.LIMIT, 0, 1000), /volume must be a number > 0/);
  });

  test("a negative volume is rejected", () => {
    const rec = open();
    rejected(rec, buy(rec.ex, OrderType.MARKET, -3), /volume must be a number > 0/);
  });

  test("a volume that is not a multiple of the minimum volume is rejected", () => {
    const rec = open();
    rejected(rec, buy(rec.ex, OrderType.LIMIT, 150, 50, "STK"), /not a multiple of the minimum volume 100/);
  });

  test("a price off the price tick is rejected", () => {
    const rec = open();
    rejected(rec, buy(rec.ex, OrderType.LIMIT, 100, 50.005, "STK"), /not on the price tick 0\.01/);
  });

  test("a price outside the daily limits is rejected", () => {
    const rec = open();
    rejected(rec, buy(rec.ex, OrderType.LIMIT, 1, 2000), /outside today's limits/);
  });

  test("an order the account cannot afford is rejected for insufficient funds", () => {
    const rec = open(5_000);
    rejected(rec, buy(rec.ex, OrderType.LIMIT, 10, 1000), /insufficient funds/);
  });

  test("closing more than the position holds is rejected for insufficient position", () => {
    const rec = open();
    rejected(rec, sell(rec.ex, OrderType.MARKET, 1, 0, "FLAT", Offset.CLOSE), /insufficient position/);
  });

  test("selling a cash product one does not hold is rejected (no short selling)", () => {
    const rec = open();
    rejected(rec, sell(rec.ex, OrderType.MARKET, 100, 0, "STK"), /insufficient position/);
  });

  test("a direction other than LONG or SHORT is rejected", () => {
    const rec = open();
    const order = rec.ex.sendOrder({ symbol: "FLAT", exchange: Exchange.SIM, direction: Direction.NET, type: OrderType.MARKET, volume: 1 });
    rejected(rec, order, /direction must be LONG/);
  });
});
