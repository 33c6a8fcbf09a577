import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventEngine, isTickwireError, type Event } from "../../src/event/index.js";
import {
  Direction,
  EVENT_LOG,
  Exchange,
  GatewayStatus,
  LogLevel,
  Product,
  Status,
  createAccount,
  createContract,
  createLog,
  createOrder,
  createPosition,
  createTick,
  createTrade,
  type GatewayStatusData,
  type LogData,
  type TickData,
  type TraderEvents,
} from "../../src/trader/index.js";
import { DeskGateway } from "./desk.js";

const engines: EventEngine<TraderEvents>[] = [];
after(async () => {
  for (const ee of engines) await ee.stop();
});

/** A started engine and the list of every event it dispatches, in order. */
function recording(): { ee: EventEngine<TraderEvents>; seen: Event[] } {
  const ee = new EventEngine<TraderEvents>({ interval: null });
  const seen: Event[] = [];
  ee.registerGeneral((event) => {
    seen.push(event as Event);
  });
  ee.start();
  engines.push(ee);
  return { ee, seen };
}

const base = { gatewayName: "DESK", symbol: "rb.2410", exchange: Exchange.SIM } as const;

describe("BaseGateway push helpers", () => {
  test("every keyed update is published twice, general type first, then type plus key, with the same object", async () => {
    const { ee, seen } = recording();
    const gw = new DeskGateway(ee);
    const tick = createTick({ ...base, datetime: 1, lastPrice: 5 });
    const trade = createTrade({ ...base, orderid: "1", tradeid: "t1", direction: Direction.LONG });
    const order = createOrder({ ...base, orderid: "1", direction: Direction.LONG });
    const position = createPosition({ ...base, direction: Direction.SHORT });
    const account = createAccount({ gatewayName: "DESK", accountid: "acc1" });
    gw.onTick(tick);
    gw.onTrade(trade);
    gw.onOrder(order);
    gw.onPosition(position);
    gw.onAccount(account);
    await ee.waitForIdle();
    assert.deepEqual(
      seen.map((e) => e.type),
      [
        "eTick.",
        "eTick.rb.2410.SIM",
        "eTrade.",
        "eTrade.rb.2410.SIM",
        "eOrder.",
        "eOrder.DESK.1",
        "ePosition.",
        "ePosition.rb.2410.SIM",
        "eAccount.",
        "eAccount.DESK.acc1",
      ],
    );
    const data = [tick, trade, order, position, account];
    data.forEach((object, i) => {
      assert.equal(seen[2 * i].data, object);
      assert.equal(seen[2 * i + 1].data, object);
    });
  });

  test("interleaved updates of several orders and instruments each go out under their own key", async () => {
    const { ee, seen } = recording();
    const gw = new DeskGateway(ee);
    const other = { ...base, symbol: "IF2412" };
    gw.onOrder(createOrder({ ...base, orderid: "1", direction: Direction.LONG }));
    gw.onOrder(createOrder({ ...other, orderid: "2", direction: Direction.LONG }));
    gw.onOrder(createOrder({ ...base, orderid: "1", direction: Direction.LONG, status: Status.ALLTRADED }));
    gw.onTrade(createTrade({ ...other, orderid: "2", tradeid: "t1", direction: Direction.LONG }));
    gw.onTrade(createTrade({ ...base, orderid: "1", tradeid: "t2", direction: Direction.LONG }));
    await ee.waitForIdle();
    assert.deepEqual(
      seen.filter((e) => e.type.split(".").length > 2).map((e) => e.type),
      ["eOrder.DESK.1", "eOrder.DESK.2", "eOrder.DESK.1", "eTrade.IF2412.SIM", "eTrade.rb.2410.SIM"],
    );
  });

  test("contracts and logs are published under the general type only", async () => {
    const { ee, seen } = recording();
    const gw = new DeskGateway(ee);
    const contract = createContract({ ...base, name: "rebar", product: Product.FUTURES, size: 10, priceTick: 1 });
    const log = createLog({ msg: "hi", gatewayName: "DESK" });
    gw.onContract(contract);
    gw.onLog(log);
    await ee.waitForIdle();
    assert.deepEqual(
      seen.map((e) => [e.type, e.data]),
      [
        ["eContract.", contract],
        ["eLog", log],
      ],
    );
  });

  test("writeLog puts an eLog with the gateway as its source and the given level", async () => {
    const { ee, seen } = recording();
    const gw = new DeskGateway(ee, "DESK2");
    gw.writeLog("lost heartbeat", LogLevel.WARNING);
    await ee.waitForIdle();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].type, EVENT_LOG);
    const log = seen[0].data as LogData;
    assert.equal(log.msg, "lost heartbeat");
    assert.equal(log.gatewayName, "DESK2");
    assert.equal(log.level, LogLevel.WARNING);
  });

  test("a handler registered on one keyed type receives only that instrument's ticks", async () => {
    const { ee } = recording();
    const gw = new DeskGateway(ee);
    const got: TickData[] = [];
    ee.register("eTick.A.SIM", (event) => {
      got.push(event.data);
    });
    gw.onTick(createTick({ ...base, symbol: "A", datetime: 1 }));
    gw.onTick(createTick({ ...base, symbol: "B", datetime: 2 }));
    gw.onTick(createTick({ ...base, symbol: "A", datetime: 3 }));
    await ee.waitForIdle();
    assert.deepEqual(
      got.map((t) => [t.vtSymbol, t.datetime]),
      [
        ["A.SIM", 1],
        ["A.SIM", 3],
      ],
    );
  });
});

describe("BaseGateway connection state", () => {
  test("connect, disconnect and reconnect are each reported as events, general and keyed by gateway", async () => {
    const { ee, seen } = recording();
    const gw = new DeskGateway(ee);
    assert.equal(gw.connectionStatus, GatewayStatus.DISCONNECTED);
    await gw.connect({});
    assert.equal(gw.connectionStatus, GatewayStatus.CONNECTED);
    await gw.close();
    await gw.connect({});
    assert.equal(gw.connectionStatus, GatewayStatus.RECONNECTED);
    await ee.waitForIdle();
    const general = seen.filter((e) => e.type === "eGateway.").map((e) => (e.data as GatewayStatusData).status);
    const keyed = seen.filter((e) => e.type === "eGateway.DESK").map((e) => (e.data as GatewayStatusData).status);
    const expected = ["CONNECTING", "CONNECTED", "DISCONNECTED", "CONNECTING", "RECONNECTED"];
    assert.deepEqual(general, expected);
    assert.deepEqual(keyed, expected);
    const closed = seen.find((e) => (e.data as GatewayStatusData).status === "DISCONNECTED")!.data as GatewayStatusData;
    assert.equal(closed.msg, "closed");
    assert.equal(closed.gatewayName, "DESK");
  });

  test("reporting the same state twice puts no second event", async () => {
    const { ee, seen } = recording();
    const gw = new DeskGateway(ee);
    gw.onConnecting("try 1");
    gw.onConnecting("try 2");
    gw.onConnected();
    gw.onConnected();
    await ee.waitForIdle();
    assert.deepEqual(
      seen.filter((e) => e.type === "eGateway.").map((e) => (e.data as GatewayStatusData).status),
      ["CONNECTING", "CONNECTED"],
    );
  });
});

describe("BaseGateway naming", () => {
  test("a gateway is named by its class's defaultName unless given a name", () => {
    const { ee } = recording();
    assert.equal(new DeskGateway(ee).gatewayName, "DESK");
    assert.equal(new DeskGateway(ee, "DESK_B").gatewayName, "DESK_B");
    const gw = new DeskGateway(ee);
    assert.deepEqual(gw.exchanges, [Exchange.SIM, Exchange.LOCAL]);
    assert.deepEqual(gw.defaultSetting, { account: "acc1" });
    assert.equal(gw.defaultName, "DESK");
  });

  test("a gateway name containing the separator is rejected", () => {
    const { ee } = recording();
    assert.throws(
      () => new DeskGateway(ee, "DESK.1"),
      (err: unknown) => isTickwireError(err, "TW_TRADER_INVALID_ID"),
    );
  });
});
