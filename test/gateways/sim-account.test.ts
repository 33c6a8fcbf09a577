import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SimExchange, type SimInstrument } from "../../src/gateways/sim/index.js";
import { Direction, Exchange, Offset, OrderType, Product, Status } from "../../src/trader/constants.js";

/** Price fixed at 1000 (volatility 0); the book is either 999/1000 or 1000/1001. */
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
  limitPct: 0,
  spreadTicks: 1,
  depth: 50,
  tickLots: 3,
  openInterest: 0,
  netPosition: false,
};
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
  depth: 1000,
  netPosition: true,
};

const CAPITAL = 100_000;
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≈ ${b}`);

function exchange(): SimExchange {
  return new SimExchange({ instruments: [FLAT, COIN], seed: 3, tickRate: 1, startTime: Date.UTC(2024, 0, 2), capital: CAPITAL });
}

function stepUntil(ex: SimExchange, pred: () => boolean): void {
  for (let i = 0; i < 10_000 && !pred(); i++) ex.step();
  assert.ok(pred(), "the market never reached the wanted state");
}

describe("account and positions", () => {
  test("a fresh account has its capital available and nothing frozen", () => {
    const ex = exchange();
    assert.equal(ex.account.balance, CAPITAL);
    assert.equal(ex.account.frozen, 0);
    assert.equal(ex.account.available, CAPITAL);
  });

  test("open, partial close and a short open settle margin, commission, average price and P&L", () => {
    const ex = exchange();
    const m = ex.getMarket("FLAT.SIM")!;
    const send = (direction: Direction, offset: Offset, price: number, volume: number) => {
      const o = ex.sendOrder({ symbol: "FLAT", exchange: Exchange.SIM, direction, offset, type: OrderType.LIMIT, price, volume });
      assert.equal(o.status, Status.ALLTRADED);
    };
    stepUntil(ex, () => m.bidPrice[0] === 1000 && m.askPrice[0] === 1001);

    // Buy 2 at 1001: commission 1001·2·10·0.001 = 20.02, margin 1001·2·10·0.1 = 2002, marked at 1000: −20.
    send(Direction.LONG, Offset.OPEN, 1001, 2);
    const long = ex.account.findPosition("FLAT.SIM", Direction.LONG)!;
    assert.equal(long.volume, 2);
    assert.equal(long.price, 1001);
    close(ex.account.commission, 20.02);
    close(long.mark(), -20);
    close(ex.account.balance, CAPITAL - 20.02 - 20);
    close(ex.account.frozen, 2002);
    close(ex.account.available, CAPITAL - 20.02 - 20 - 2002);

    // Sell 1 to close at 1000: realized (1000 − 1001)·1·10 = −10, commission 10.
    send(Direction.SHORT, Offset.CLOSE, 1000, 1);
    assert.equal(long.volume, 1);
    assert.equal(long.price, 1001);
    close(ex.account.realizedPnl, -10);
    close(ex.account.commission, 30.02);
    close(ex.account.cash, CAPITAL - 30.02 - 10);
    close(ex.account.balance, CAPITAL - 30.02 - 10 - 10);
    close(ex.account.frozen, 1001);

    // Sell 3 to open a short at 1000: commission 30, margin 3000; short marked at 1000: 0.
    send(Direction.SHORT, Offset.OPEN, 1000, 3);
    const short = ex.account.findPosition("FLAT.SIM", Direction.SHORT)!;
    assert.equal(short.volume, 3);
    assert.equal(short.price, 1000);
    close(ex.account.commission, 60.02);
    close(ex.account.frozen, 1001 + 3000);
    close(ex.account.balance, CAPITAL - 60.02 - 10 - 10);
    close(ex.account.available, CAPITAL - 60.02 - 10 - 10 - 4001);

    // Buy 3 to close the short at 1001: realized (1001 − 1000)·3·10·(−1) = −30.
    stepUntil(ex, () => m.askPrice[0] === 1001);
    send(Direction.LONG, Offset.CLOSE, 1001, 3);
    assert.equal(short.volume, 0);
    assert.equal(short.price, 0);
    close(ex.account.realizedPnl, -40);
    close(ex.account.commission, 60.02 + 30.03);
  });

  test("adding to a position averages its price by volume", () => {
    const ex = exchange();
    const m = ex.getMarket("FLAT.SIM")!;
    stepUntil(ex, () => m.askPrice[0] === 1000);
    ex.sendOrder({ symbol: "FLAT", exchange: Exchange.SIM, direction: Direction.LONG, type: OrderType.LIMIT, price: 1000, volume: 1 });
    stepUntil(ex, () => m.askPrice[0] === 1001);
    ex.sendOrder({ symbol: "FLAT", exchange: Exchange.SIM, direction: Direction.LONG, type: OrderType.LIMIT, price: 1001, volume: 3 });
    const p = ex.account.findPosition("FLAT.SIM", Direction.LONG)!;
    assert.equal(p.volume, 4);
    close(p.price, (1000 + 3 * 1001) / 4);
  });

  test("a resting close order freezes position volume until it ends", () => {
    const ex = exchange();
    const m = ex.getMarket("FLAT.SIM")!;
    ex.sendOrder({ symbol: "FLAT", exchange: Exchange.SIM, direction: Direction.LONG, type: OrderType.MARKET, volume: 5 });
    const p = ex.account.findPosition("FLAT.SIM", Direction.LONG)!;
    const order = ex.sendOrder({
      symbol: "FLAT",
      exchange: Exchange.SIM,
      direction: Direction.SHORT,
      offset: Offset.CLOSE,
      type: OrderType.LIMIT,
      price: m.askPrice[0] + 20,
      volume: 4,
    });
    assert.equal(order.status, Status.NOTTRADED);
    assert.equal(p.frozen, 4);
    assert.equal(p.available, 1);
    const second = ex.sendOrder({
      symbol: "FLAT",
      exchange: Exchange.SIM,
      direction: Direction.SHORT,
      offset: Offset.CLOSE,
      type: OrderType.MARKET,
      volume: 2,
    });
    assert.equal(second.status, Status.REJECTED);
    ex.cancelOrder(order.orderid);
    assert.equal(p.frozen, 0);
  });

  test("a cash product holds its full cost while held and pays the gain back when sold", () => {
    const ex = exchange();
    const m = ex.getMarket("COIN.SIM")!;
    stepUntil(ex, () => m.askPrice[0] === 20000.5);
    const bought = ex.sendOrder({ symbol: "COIN", exchange: Exchange.SIM, direction: Direction.LONG, type: OrderType.LIMIT, price: 20000.5, volume: 0.25 });
    assert.equal(bought.status, Status.ALLTRADED);
    const p = ex.account.findPosition("COIN.SIM", Direction.NET)!;
    assert.equal(p.volume, 0.25);
    close(ex.account.frozen, 20000.5 * 0.25);
    close(ex.account.commission, 20000.5 * 0.25 * 0.001);
    stepUntil(ex, () => m.bidPrice[0] === 20000);
    ex.sendOrder({ symbol: "COIN", exchange: Exchange.SIM, direction: Direction.SHORT, type: OrderType.LIMIT, price: 20000, volume: 0.1 });
    assert.equal(p.volume, 0.15);
    close(ex.account.realizedPnl, -0.5 * 0.1);
    close(ex.account.frozen, 20000.5 * 0.15);
  });

  test("volumes on a decimal grid stay on the grid after many fills", () => {
    const ex = exchange();
    for (let i = 0; i < 30; i++) {
      ex.sendOrder({ symbol: "COIN", exchange: Exchange.SIM, direction: Direction.LONG, type: OrderType.MARKET, volume: 0.001 });
    }
    const p = ex.account.findPosition("COIN.SIM", Direction.NET)!;
    assert.equal(p.volume, 0.03);
  });
});
