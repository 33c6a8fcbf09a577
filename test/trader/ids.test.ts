import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isTickwireError } from "../../src/event/index.js";
import {
  Direction,
  Exchange,
  TW_TRADER_INVALID_ID,
  createAccount,
  createCancelRequest,
  createOrder,
  createPosition,
  createTick,
  createTrade,
  parseVtAccountid,
  parseVtOrderid,
  parseVtSymbol,
  parseVtTradeid,
  vtPositionidOf,
} from "../../src/trader/index.js";
import { isValidGatewayName } from "../../src/trader/ids.js";

const invalidId = (err: unknown): boolean => isTickwireError(err, TW_TRADER_INVALID_ID);

describe("derived ids", () => {
  test("every object computes its ids from its fields", () => {
    const order = createOrder({ gatewayName: "CTP", symbol: "rb2410", exchange: Exchange.SHFE, orderid: "123", direction: Direction.LONG });
    assert.equal(order.vtSymbol, "rb2410.SHFE");
    assert.equal(order.vtOrderid, "CTP.123");
    const trade = createTrade({
      gatewayName: "CTP",
      symbol: "rb2410",
      exchange: Exchange.SHFE,
      orderid: "123",
      tradeid: "T9",
      direction: Direction.LONG,
    });
    assert.equal(trade.vtTradeid, "CTP.T9");
    assert.equal(trade.vtOrderid, "CTP.123");
    const position = createPosition({ gatewayName: "CTP", symbol: "rb2410", exchange: Exchange.SHFE, direction: Direction.SHORT });
    assert.equal(position.vtPositionid, "CTP.rb2410.SHFE.SHORT");
    const account = createAccount({ gatewayName: "CTP", accountid: "8001", balance: 100, frozen: 30 });
    assert.equal(account.vtAccountid, "CTP.8001");
    assert.equal(account.available, 70);
  });

  test("symbols may contain dots and keep them in vtSymbol and vtPositionid", () => {
    const tick = createTick({ gatewayName: "B", symbol: "BTC.USDT", exchange: Exchange.BINANCE, datetime: 0 });
    assert.equal(tick.vtSymbol, "BTC.USDT.BINANCE");
    assert.equal(vtPositionidOf("B", tick.vtSymbol, Direction.NET), "B.BTC.USDT.BINANCE.NET");
  });
});

describe("parsing ids", () => {
  test("parseVtSymbol splits on the last dot", () => {
    assert.deepEqual(parseVtSymbol("rb2410.SHFE"), { symbol: "rb2410", exchange: "SHFE" });
    assert.deepEqual(parseVtSymbol("BTC.USDT.BINANCE"), { symbol: "BTC.USDT", exchange: "BINANCE" });
    assert.deepEqual(parseVtSymbol("ESZ4.EUX"), { symbol: "ESZ4", exchange: Exchange.EUREX });
  });

  test("parseVtSymbol rejects a string without a dot, an empty symbol and an unknown exchange", () => {
    assert.throws(() => parseVtSymbol("rb2410"), invalidId);
    assert.throws(() => parseVtSymbol(".SHFE"), invalidId);
    assert.throws(() => parseVtSymbol("rb2410.NOPE"), invalidId);
    assert.throws(() => parseVtSymbol("rb2410."), invalidId);
  });

  test("gateway-keyed ids split back into their parts", () => {
    assert.deepEqual(parseVtOrderid("CTP.123"), { gatewayName: "CTP", orderid: "123" });
    assert.deepEqual(parseVtTradeid("SIM.t7"), { gatewayName: "SIM", tradeid: "t7" });
    assert.deepEqual(parseVtAccountid("SIM.main"), { gatewayName: "SIM", accountid: "main" });
  });

  test("gateway-keyed ids with no dot, two dots or an empty part are rejected", () => {
    for (const bad of ["CTP123", "CTP.1.2", ".123", "CTP."]) {
      assert.throws(() => parseVtOrderid(bad), invalidId, bad);
    }
  });
});

describe("id validation", () => {
  test("a gateway name with a dot is rejected with TW_TRADER_INVALID_ID and says what is wrong", () => {
    assert.throws(
      () => createTick({ gatewayName: "my.gw", symbol: "X", exchange: Exchange.SIM, datetime: 0 }),
      (err: unknown) => invalidId(err) && /gatewayName/.test((err as Error).message) && /"\."/.test((err as Error).message),
    );
    assert.equal(isValidGatewayName("my.gw"), false);
    assert.equal(isValidGatewayName("SIM"), true);
  });

  test("order ids, trade ids and account ids may not contain the separator or be empty", () => {
    const base = { gatewayName: "G", symbol: "X", exchange: Exchange.SIM, direction: Direction.LONG } as const;
    assert.throws(() => createOrder({ ...base, orderid: "1.2" }), invalidId);
    assert.throws(() => createOrder({ ...base, orderid: "" }), invalidId);
    assert.throws(() => createTrade({ ...base, orderid: "1", tradeid: "a.b" }), invalidId);
    assert.throws(() => createAccount({ gatewayName: "G", accountid: "a.b" }), invalidId);
    assert.throws(() => createCancelRequest({ orderid: "1.2", symbol: "X", exchange: Exchange.SIM }), invalidId);
  });

  test("an empty symbol and an exchange that is not a known code are rejected", () => {
    assert.throws(() => createTick({ gatewayName: "G", symbol: "", exchange: Exchange.SIM, datetime: 0 }), invalidId);
    assert.throws(
      () => createTick({ gatewayName: "G", symbol: "X", exchange: "MOON" as Exchange, datetime: 0 }),
      (err: unknown) => invalidId(err) && (err as { details?: { kind?: string } }).details?.kind === "exchange",
    );
  });
});
