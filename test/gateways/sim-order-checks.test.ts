import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SimExchange, type SimInstrument, type SimOrderInput } from "../../src/gateways/sim/index.js";
import { Direction, Exchange, Offset, OrderType, Product, Status } from "../../src/trader/constants.js";

/** Price fixed at 1000 (volatility 0), daily limits ±5 %. */
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
  depth: 5000,
  tickLots: 3,
  openInterest: 0,
  netPosition: false,
};
/** A cash product in lots of 0.001, no daily limits. */
const COIN: SimInstrument = {
  ...FLAT,
  symbol: "COIN",
  product: Product.SPOT,
  priceTick: 0.5,
  minVolume: 0.001,
  size: 1,
  initialPrice: 20000,
  marginRate: 1,
  commissionRate: 0.001,
  limitPct: 0,
  depth: 1000,
  netPosition: true,
};
const CAPITAL = 1_000_000;
const TYPES = [OrderType.LIMIT, OrderType.MARKET, OrderType.STOP, OrderType.FAK, OrderType.FOK];
const SIDES: [Direction, Offset][] = [
  [Direction.LONG, Offset.OPEN],
  [Direction.SHORT, Offset.OPEN],
  [Direction.LONG, Offset.CLOSE],
  [Direction.SHORT, Offset.CLOSE],
];
/** Values a careless or hostile caller puts in a number field. */
const BAD_NUMBERS: unknown[] = [NaN, Infinity, -Infinity, "1000", "abc", null, 1e18, -1, {}, [5], 10n];

function exchange(): SimExchange {
  return new SimExchange({ instruments: [FLAT, COIN], seed: 5, tickRate: 1, startTime: Date.UTC(2024, 0, 2), capital: CAPITAL });
}

/** Every number of the account and its positions is finite, and nothing is held beyond the money there is. */
function assertSound(ex: SimExchange, after: string): void {
  const a = ex.account;
  for (const [name, v] of Object.entries({ cash: a.cash, balance: a.balance, frozen: a.frozen, available: a.available, orderFrozen: a.orderFrozen })) {
    assert.ok(Number.isFinite(v), `account ${name} is ${v} after ${after}`);
  }
  assert.ok(a.frozen <= a.balance + 1e-6, `frozen ${a.frozen} exceeds balance ${a.balance} after ${after}`);
  for (const p of a.allPositions()) {
    for (const [name, v] of Object.entries({ volume: p.volume, frozen: p.frozen, price: p.price, pnl: p.pnl })) {
      assert.ok(Number.isFinite(v), `${p.vtSymbol} ${p.direction} ${name} is ${v} after ${after}`);
    }
    assert.ok(p.frozen <= p.volume + 1e-9, `${p.vtSymbol} freezes ${p.frozen} of ${p.volume} after ${after}`);
  }
}

function order(symbol: string, type: OrderType, direction: Direction, offset: Offset, volume: unknown, price: unknown): SimOrderInput {
  return { symbol, exchange: Exchange.SIM, direction, offset, type, volume, price } as unknown as SimOrderInput;
}

describe("order checks at the paper exchange", () => {
  test("NaN, ±Infinity, strings, null, objects and 1e18 in price or volume are rejected for every order type and side, and the account stays finite and within its funds", () => {
    const ex = exchange();
    // Something to close, so closing orders reach their checks too.
    const opened = ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 3, 0));
    assert.equal(opened.status, Status.ALLTRADED);
    ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.SHORT, Offset.OPEN, 3, 0));
    ex.sendOrder(order("COIN", OrderType.MARKET, Direction.LONG, Offset.NONE, 1, 0));
    assertSound(ex, "opening");
    let n = 0;
    for (const symbol of ["FLAT", "COIN"]) {
      const price = ex.getMarket(`${symbol}.SIM`)!.lastPrice;
      for (const type of TYPES) {
        for (const [direction, offset] of SIDES) {
          for (const bad of BAD_NUMBERS) {
            for (const input of [order(symbol, type, direction, offset, bad, price), order(symbol, type, direction, offset, 1, bad)]) {
              const what = `${symbol} ${type} ${direction} ${offset} volume ${String(input.volume)} price ${String(input.price)}`;
              const o = ex.sendOrder(input);
              assert.equal(o.status, Status.REJECTED, what);
              assert.notEqual(o.reason, "", what);
              assert.ok(Number.isFinite(o.price) && Number.isFinite(o.volume), `the rejected order keeps ${o.price} × ${o.volume}: ${what}`);
              assertSound(ex, what);
              n++;
            }
          }
        }
      }
    }
    assert.equal(n, 2 * TYPES.length * SIDES.length * BAD_NUMBERS.length * 2);
    assert.equal(ex.activeOrderCount, 0);
  });

  test("after a NaN-priced MARKET order an order the account cannot afford is still refused for insufficient funds", () => {
    const ex = exchange();
    const nan = ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 1, NaN));
    assert.equal(nan.status, Status.REJECTED);
    assert.match(nan.reason, /price must be a finite number/);
    const huge = ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 100_000, 0));
    assert.equal(huge.status, Status.REJECTED);
    assert.match(huge.reason, /insufficient funds/);
    assert.equal(huge.traded, 0);
    assertSound(ex, "the huge order");
  });

  test("a MARKET order with a string price is rejected and holds no money", () => {
    const ex = exchange();
    const o = ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 1, "1000"));
    assert.equal(o.status, Status.REJECTED);
    assert.equal(ex.account.frozen, 0);
    assert.equal(ex.account.available, CAPITAL);
  });

  test("a LIMIT volume far below the minimum volume (1e-9) is rejected instead of resting for ever at 0", () => {
    const ex = exchange();
    const bid = ex.getMarket("FLAT.SIM")!.bidPrice[0];
    const o = ex.sendOrder(order("FLAT", OrderType.LIMIT, Direction.LONG, Offset.OPEN, 1e-9, bid));
    assert.equal(o.status, Status.REJECTED);
    assert.match(o.reason, /below the minimum volume 1 of FLAT\.SIM/);
    assert.equal(ex.activeOrderCount, 0);
  });

  test("a MARKET order may carry no price (0) or a price on the tick, but not one off it", () => {
    const ex = exchange();
    const m = ex.getMarket("FLAT.SIM")!;
    assert.equal(ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 1, 0)).status, Status.ALLTRADED);
    assert.equal(ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 1, undefined)).status, Status.ALLTRADED);
    assert.equal(ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 1, m.askPrice[0])).status, Status.ALLTRADED);
    const off = ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 1, m.askPrice[0] + 0.5));
    assert.equal(off.status, Status.REJECTED);
    assert.match(off.reason, /not on the price tick 1/);
    const negative = ex.sendOrder(order("FLAT", OrderType.MARKET, Direction.LONG, Offset.OPEN, 1, -5));
    assert.match(negative.reason, /price must be 0 \(none\) or a price > 0/);
  });

  test("a request that is not an object throws TW_TRADER_BAD_REQUEST and makes no order", () => {
    const ex = exchange();
    for (const bad of [null, undefined, 42, "order"]) {
      assert.throws(() => ex.sendOrder(bad as unknown as SimOrderInput), { code: "TW_TRADER_BAD_REQUEST" });
    }
    assert.equal(ex.lastId, 0);
  });

  test("cancelling with an orderid that is not a string throws TW_SIM_UNKNOWN_ORDER", () => {
    const ex = exchange();
    for (const bad of [42, null, {}, 10n, Symbol("x")]) {
      assert.throws(() => ex.cancelOrder(bad as unknown as string), { code: "TW_SIM_UNKNOWN_ORDER" });
    }
  });
});
