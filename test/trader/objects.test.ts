import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { pack, unpack } from "msgpackr";
import {
  Direction,
  Exchange,
  GatewayStatus,
  Interval,
  LogLevel,
  Offset,
  OptionType,
  OrderType,
  Product,
  Status,
  createAccount,
  createBar,
  createCancelRequest,
  createContract,
  createGatewayStatus,
  createHistoryRequest,
  createLog,
  createOrder,
  createOrderData,
  createOrderRequest,
  createPosition,
  createSubscribeRequest,
  createTick,
  createTrade,
  isActive,
} from "../../src/trader/index.js";

const T = 1_717_171_717_123; // epoch ms with a millisecond part

// Every object kind, with non-default values in fields where a codec could go wrong
// (fractions, negatives, large integers, empty and non-ASCII strings, null, nested objects).
const samples: Record<string, object> = {
  tick: createTick({
    gatewayName: "SIM",
    symbol: "rb2410",
    exchange: Exchange.SIM,
    datetime: T,
    name: "螺纹钢 2410",
    volume: 123_456,
    turnover: 4_567_890_123.5,
    openInterest: 98_765,
    lastPrice: 3512.5,
    lastVolume: 3,
    limitUp: 3800,
    limitDown: 3200,
    openPrice: 3500,
    highPrice: 3520,
    lowPrice: 3490.5,
    preClose: 3499,
    bidPrice1: 3512,
    bidPrice5: 3508,
    askPrice1: 3513,
    askPrice5: 3517,
    bidVolume1: 10,
    bidVolume5: 50,
    askVolume1: 11,
    askVolume5: 55,
  }),
  bar: createBar({
    gatewayName: "SIM",
    symbol: "BTC.USDT",
    exchange: Exchange.BINANCE,
    datetime: T,
    interval: Interval.HOUR,
    volume: 0.125,
    openPrice: 64_000.01,
    highPrice: 64_100,
    lowPrice: 63_900,
    closePrice: 64_050.99,
  }),
  order: createOrder({
    gatewayName: "SIM",
    symbol: "AAPL",
    exchange: Exchange.NASDAQ,
    orderid: "42",
    direction: Direction.SHORT,
    type: OrderType.FOK,
    offset: Offset.CLOSETODAY,
    price: 189.25,
    volume: 100,
    traded: 40,
    status: Status.PARTTRADED,
    datetime: T,
    reference: "strategy-α",
    statusMsg: "",
  }),
  trade: createTrade({
    gatewayName: "SIM",
    symbol: "AAPL",
    exchange: Exchange.NASDAQ,
    orderid: "42",
    tradeid: "7",
    direction: Direction.SHORT,
    price: 189.25,
    volume: 40,
    datetime: T,
  }),
  position: createPosition({
    gatewayName: "SIM",
    symbol: "IF2409",
    exchange: Exchange.CFFEX,
    direction: Direction.NET,
    volume: -3,
    frozen: 1,
    price: 3450.2,
    pnl: -1234.56,
    ydVolume: 2,
  }),
  account: createAccount({ gatewayName: "SIM", accountid: "main", balance: 1_000_000.5, frozen: 250_000.25 }),
  contract: createContract({
    gatewayName: "SIM",
    symbol: "IO2409-C-3500",
    exchange: Exchange.CFFEX,
    name: "IO call",
    product: Product.OPTION,
    size: 100,
    priceTick: 0.2,
    minVolume: 1,
    maxVolume: 50,
    stopSupported: true,
    option: {
      strike: 3500,
      underlying: "IF2409",
      type: OptionType.CALL,
      listed: T - 86_400_000,
      expiry: T + 86_400_000,
      portfolio: "IO",
      index: "3500",
    },
  }),
  contractPlain: createContract({
    gatewayName: "SIM",
    symbol: "X",
    exchange: Exchange.SIM,
    name: "",
    product: Product.SPOT,
    size: 1,
    priceTick: 0.01,
  }),
  log: createLog({ msg: 'hello\n"world"', level: LogLevel.WARNING, gatewayName: "SIM", datetime: T }),
  gatewayStatus: createGatewayStatus({ gatewayName: "SIM", status: GatewayStatus.RECONNECTED, msg: "after 2 tries", datetime: T }),
  subscribe: createSubscribeRequest({ symbol: "rb2410", exchange: Exchange.SHFE }),
  orderRequest: createOrderRequest({
    symbol: "rb2410",
    exchange: Exchange.SHFE,
    direction: Direction.LONG,
    type: OrderType.STOP,
    volume: 2,
    price: 3600,
    offset: Offset.OPEN,
    reference: "r",
  }),
  cancel: createCancelRequest({ orderid: "42", symbol: "AAPL", exchange: Exchange.NASDAQ }),
  history: createHistoryRequest({ symbol: "rb2410", exchange: Exchange.SHFE, start: T - 3_600_000, end: T, interval: Interval.MINUTE }),
};

describe("serialization round trips", () => {
  for (const [kind, sample] of Object.entries(samples)) {
    test(`a ${kind} survives a msgpack round trip deep-equal`, () => {
      assert.deepStrictEqual(unpack(pack(sample)), sample);
    });

    test(`a ${kind} survives a JSON round trip deep-equal`, () => {
      assert.deepStrictEqual(JSON.parse(JSON.stringify(sample)), sample);
    });
  }

  test("objects are plain: no class prototypes, no undefined fields, no Dates", () => {
    for (const [kind, sample] of Object.entries(samples)) {
      assert.equal(Object.getPrototypeOf(sample), Object.prototype, kind);
      for (const [key, value] of Object.entries(sample)) {
        assert.notEqual(value, undefined, `${kind}.${key}`);
        assert.ok(!(value instanceof Date), `${kind}.${key}`);
      }
    }
  });

  test("a structuredClone of an object is deep-equal (worker threads carry them as they are)", () => {
    for (const sample of Object.values(samples)) assert.deepStrictEqual(structuredClone(sample), sample);
  });
});

describe("factories and behaviour", () => {
  test("a tick made from its required fields has every other number at zero", () => {
    const tick = createTick({ gatewayName: "G", symbol: "X", exchange: Exchange.SIM, datetime: T });
    assert.equal(tick.name, "");
    for (const key of ["lastPrice", "volume", "bidPrice1", "askPrice5", "bidVolume3", "askVolume5", "openInterest"] as const) {
      assert.equal(tick[key], 0, key);
    }
  });

  test("createOrderData turns a request into a SUBMITTING order of the gateway", () => {
    const req = samples.orderRequest as ReturnType<typeof createOrderRequest>;
    const order = createOrderData(req, "9", "SIM", T);
    assert.deepStrictEqual(order, {
      gatewayName: "SIM",
      symbol: "rb2410",
      exchange: "SHFE",
      vtSymbol: "rb2410.SHFE",
      orderid: "9",
      vtOrderid: "SIM.9",
      type: "STOP",
      direction: "LONG",
      offset: "OPEN",
      price: 3600,
      volume: 2,
      traded: 0,
      status: "SUBMITTING",
      datetime: T,
      reference: "r",
      statusMsg: "",
    });
  });

  test("isActive is true for SUBMITTING, NOTTRADED and PARTTRADED only", () => {
    const active = Object.values(Status).filter((status) => isActive({ status }));
    assert.deepEqual(active, [Status.SUBMITTING, Status.NOTTRADED, Status.PARTTRADED]);
  });

  test("createCancelRequest takes the order itself", () => {
    const order = samples.order as ReturnType<typeof createOrder>;
    assert.deepStrictEqual(createCancelRequest(order), {
      orderid: "42",
      symbol: "AAPL",
      exchange: "NASDAQ",
      vtSymbol: "AAPL.NASDAQ",
    });
  });

  test("enum values are their own stable codes", () => {
    assert.equal(Direction.LONG, "LONG");
    assert.equal(Offset.CLOSEYESTERDAY, "CLOSEYESTERDAY");
    assert.equal(Interval.MINUTE, "1m");
    assert.equal(Exchange.SIM, "SIM");
    assert.equal(Exchange.LOCAL, "LOCAL");
  });
});
