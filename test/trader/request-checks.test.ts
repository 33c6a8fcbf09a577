import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { isTickwireError } from "../../src/event/index.js";
import {
  Direction,
  Exchange,
  Interval,
  MainEngine,
  Offset,
  OrderType,
  Status,
  createCancelRequest,
  createHistoryRequest,
  createOrderRequest,
  createSubscribeRequest,
  orderRequestProblem,
  type OrderRequest,
} from "../../src/trader/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { DeskGateway } from "./desk.js";

const mains: MainEngine[] = [];
after(async () => {
  for (const main of mains) await main.close().catch(() => undefined);
});

function newMain(): MainEngine {
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  mains.push(main);
  return main;
}

const good = createOrderRequest({ symbol: "X", exchange: Exchange.SIM, direction: Direction.LONG, type: OrderType.LIMIT, volume: 1, price: 10 });
const badRequest = (err: unknown) => isTickwireError(err, "TW_TRADER_BAD_REQUEST");

describe("orderRequestProblem (the checks every gateway can use)", () => {
  const grid = { priceTick: 0.5, minVolume: 0.01 };

  test("a well-formed order on the grid has no problem", () => {
    assert.equal(orderRequestProblem(good, grid), undefined);
    assert.equal(orderRequestProblem({ ...good, type: OrderType.MARKET, price: 0 }, grid), undefined);
  });

  test("each field out of form or off the grid names that field", () => {
    const cases: [Partial<Record<keyof OrderRequest, unknown>>, string, RegExp][] = [
      [{ price: NaN }, "price", /finite number/],
      [{ price: "10" }, "price", /finite number/],
      [{ volume: Infinity }, "volume", /finite number/],
      [{ volume: null }, "volume", /finite number/],
      [{ volume: 0 }, "volume", /> 0/],
      [{ volume: 1e-9 }, "volume", /below the minimum volume 0\.01/],
      [{ volume: 0.015 }, "volume", /not a multiple of the minimum volume/],
      [{ volume: 1e18 }, "volume", /out of range/],
      [{ price: 10.25 }, "price", /not on the price tick 0\.5/],
      [{ price: 1e18 }, "price", /out of range/],
      [{ price: 0 }, "price", /> 0 for a LIMIT order/],
      [{ type: OrderType.MARKET, price: -1 }, "price", /0 \(none\) or a price > 0/],
      [{ direction: Direction.NET }, "direction", /LONG \(buy\) or SHORT/],
      [{ type: "ICEBERG" }, "type", /unknown order type/],
      [{ offset: "SOMETIMES" }, "offset", /offset must be one of/],
      [{ symbol: 42 }, "symbol", /non-empty string/],
      [{ exchange: "MOON" }, "exchange", /codes of Exchange/],
      [{ vtSymbol: "Y.SIM" }, "vtSymbol", /must be "X\.SIM"/],
      [{ reference: 7 }, "reference", /must be a string/],
    ];
    for (const [change, field, reason] of cases) {
      const p = orderRequestProblem({ ...good, ...change }, grid);
      assert.ok(p, `no problem found with ${JSON.stringify(change, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))}`);
      assert.equal(p.field, field);
      assert.match(p.reason, reason);
    }
  });
});

describe("MainEngine refuses malformed requests before any gateway sees them", () => {
  test("an order with a NaN, infinite, string or null price or volume throws TW_TRADER_BAD_REQUEST and reaches no gateway", () => {
    const main = newMain();
    const desk = main.addGateway(DeskGateway);
    for (const bad of [NaN, Infinity, -Infinity, "1", null]) {
      assert.throws(() => main.sendOrder({ ...good, price: bad } as unknown as OrderRequest, "DESK"), badRequest);
      assert.throws(() => main.sendOrder({ ...good, volume: bad } as unknown as OrderRequest, "DESK"), badRequest);
    }
    assert.throws(() => main.sendOrder(null as unknown as OrderRequest, "DESK"), badRequest);
    assert.deepEqual(desk.calls, []);
  });

  test("the error names the call and the field", () => {
    const main = newMain();
    main.addGateway(DeskGateway);
    assert.throws(
      () => main.sendOrder({ ...good, type: OrderType.MARKET, price: NaN }, "DESK"),
      (err: unknown) =>
        badRequest(err) &&
        (err as { details?: { field?: string; action?: string } }).details?.field === "price" &&
        /^sendOrder: price/.test((err as Error).message),
    );
  });

  test("a cancel whose orderid is not a string, or that is not an object, throws TW_TRADER_BAD_REQUEST", () => {
    const main = newMain();
    const desk = main.addGateway(DeskGateway);
    const cancel = createCancelRequest({ orderid: "1", symbol: "X", exchange: Exchange.SIM });
    for (const bad of [{ ...cancel, orderid: 1 }, { ...cancel, orderid: "" }, { ...cancel, orderid: null }, null, "1"]) {
      assert.throws(() => main.cancelOrder(bad as never, "DESK"), badRequest);
    }
    assert.deepEqual(desk.calls, []);
  });

  test("a subscribe or history request with a bad instrument, time or interval throws TW_TRADER_BAD_REQUEST", () => {
    const main = newMain();
    const desk = main.addGateway(DeskGateway);
    const sub = createSubscribeRequest({ symbol: "X", exchange: Exchange.SIM });
    assert.throws(() => main.subscribe({ ...sub, exchange: "NOPE" } as never, "DESK"), badRequest);
    assert.throws(() => main.subscribe(undefined as never, "DESK"), badRequest);
    const hist = createHistoryRequest({ symbol: "X", exchange: Exchange.SIM, start: 0, end: 60_000, interval: Interval.MINUTE });
    for (const bad of [
      { ...hist, start: NaN },
      { ...hist, end: "now" },
      { ...hist, start: 120_000 },
      { ...hist, interval: "5s" },
    ]) {
      assert.throws(() => main.queryHistory(bad as never, "DESK"), badRequest);
    }
    assert.deepEqual(desk.calls, []);
  });

  test("a gateway name that is not a string (a BigInt from an RPC client) throws TW_TRADER_UNKNOWN_GATEWAY, not a TypeError", () => {
    const main = newMain();
    main.addGateway(DeskGateway);
    assert.throws(
      () => main.sendOrder(good, 10n as unknown as string),
      (err: unknown) => isTickwireError(err, "TW_TRADER_UNKNOWN_GATEWAY"),
    );
  });

  test("an order with a value the market refuses (volume 0) still reaches the gateway and is REJECTED there", async () => {
    const main = newMain();
    main.addGateway(DeskGateway);
    const id = await main.sendOrder({ ...good, volume: 0 }, "DESK");
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(id)?.status, Status.REJECTED);
  });

  test("through the paper exchange, a sweep of bad numbers leaves the account finite and a later 100,000-lot order is refused", async () => {
    const main = newMain();
    main.addGateway(SimGateway);
    await main.connect({ seed: 3, instruments: "rb2410.SHFE", tickRate: 1 }, "SIM");
    const base = { symbol: "rb2410", exchange: Exchange.SHFE, vtSymbol: "rb2410.SHFE", offset: Offset.OPEN, reference: "" };
    for (const type of Object.values(OrderType)) {
      for (const direction of [Direction.LONG, Direction.SHORT]) {
        for (const bad of [NaN, Infinity, -Infinity, "3900", null, 1e18, 1e-9]) {
          for (const req of [
            { ...base, type, direction, volume: 1, price: bad },
            { ...base, type, direction, volume: bad, price: 3900 },
          ]) {
            try {
              await main.sendOrder(req as unknown as OrderRequest, "SIM");
            } catch (err) {
              assert.ok(badRequest(err), String(err));
            }
          }
        }
      }
    }
    await main.eventEngine.waitForIdle();
    const account = main.getAccount("SIM.PAPER")!;
    assert.ok(Number.isFinite(account.balance) && Number.isFinite(account.frozen) && Number.isFinite(account.available), JSON.stringify(account));
    assert.equal(main.getAllActiveOrders().length, 0);
    const huge = await main.sendOrder({ ...base, type: OrderType.MARKET, direction: Direction.LONG, volume: 100_000, price: 0 }, "SIM");
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(huge)?.status, Status.REJECTED);
    assert.match(main.getOrder(huge)?.statusMsg ?? "", /insufficient funds/);
  });
});
