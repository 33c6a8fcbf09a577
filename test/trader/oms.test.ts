import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  Direction,
  Exchange,
  GatewayStatus,
  MainEngine,
  Product,
  Status,
  createCancelRequest,
  createContract,
  createOrderRequest,
  createTick,
  type OrderData,
} from "../../src/trader/index.js";
import { DeskGateway } from "./desk.js";

const mains: MainEngine[] = [];
after(async () => {
  for (const main of mains) await main.close();
});

function desk(): { main: MainEngine; gw: DeskGateway } {
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  mains.push(main);
  const gw = main.addGateway(DeskGateway);
  return { main, gw };
}

const buy = (volume: number, symbol = "rb2410") => createOrderRequest({ symbol, exchange: Exchange.SIM, direction: Direction.LONG, volume, price: 3500 });

describe("OmsEngine order life cycle", () => {
  test("an order filled in two parts goes SUBMITTING, NOTTRADED, PARTTRADED, ALLTRADED and leaves the active set", async () => {
    const { main, gw } = desk();
    // Registered after MainEngine made the OMS, like any app: the OMS must already hold each update.
    const seenByApp: Array<[Status, boolean]> = [];
    main.eventEngine.register("eOrder.", (event) => {
      seenByApp.push([event.data.status, main.getOrder(event.data.vtOrderid) === event.data]);
    });

    const vtOrderid = await main.sendOrder(buy(10), "DESK");
    assert.equal(vtOrderid, "DESK.1");
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(vtOrderid)?.status, Status.NOTTRADED);
    assert.deepEqual(
      main.getAllActiveOrders().map((o) => o.vtOrderid),
      [vtOrderid],
    );

    gw.fill("1", 4, 3500);
    await main.eventEngine.waitForIdle();
    const part = main.getOrder(vtOrderid) as OrderData;
    assert.equal(part.status, Status.PARTTRADED);
    assert.equal(part.traded, 4);
    assert.deepEqual(
      main.getAllActiveOrders().map((o) => o.vtOrderid),
      [vtOrderid],
    );
    assert.equal(main.getTrade("DESK.1")?.volume, 4);

    gw.fill("1", 6, 3501);
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(vtOrderid)?.status, Status.ALLTRADED);
    assert.equal(main.getOrder(vtOrderid)?.traded, 10);
    assert.deepEqual(main.getAllActiveOrders(), []);
    assert.deepEqual(
      main.getAllTrades().map((t) => [t.vtTradeid, t.volume, t.price]),
      [
        ["DESK.1", 4, 3500],
        ["DESK.2", 6, 3501],
      ],
    );
    assert.deepEqual(seenByApp, [
      [Status.SUBMITTING, true],
      [Status.NOTTRADED, true],
      [Status.PARTTRADED, true],
      [Status.ALLTRADED, true],
    ]);
  });

  test("a cancelled order keeps its last state in the cache and leaves the active set", async () => {
    const { main, gw } = desk();
    const a = await main.sendOrder(buy(5), "DESK");
    const b = await main.sendOrder(buy(5), "DESK");
    await main.eventEngine.waitForIdle();
    gw.fill("1", 2, 3500);
    await main.eventEngine.waitForIdle();
    await main.cancelOrder(createCancelRequest(main.getOrder(a)!), "DESK");
    await main.eventEngine.waitForIdle();
    const cancelled = main.getOrder(a)!;
    assert.equal(cancelled.status, Status.CANCELLED);
    assert.equal(cancelled.traded, 2);
    assert.deepEqual(
      main.getAllActiveOrders().map((o) => o.vtOrderid),
      [b],
    );
    assert.equal(main.getAllOrders().length, 2);
  });

  test("a rejected order is cached with its reason and never stays active", async () => {
    const { main } = desk();
    const id = await main.sendOrder(buy(0), "DESK");
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(id)?.status, Status.REJECTED);
    assert.equal(main.getOrder(id)?.statusMsg, "volume must be > 0");
    assert.deepEqual(main.getAllActiveOrders(), []);
  });

  test("active orders can be listed for one instrument", async () => {
    const { main } = desk();
    const a = await main.sendOrder(buy(1, "A"), "DESK");
    await main.sendOrder(buy(1, "B"), "DESK");
    const c = await main.sendOrder(buy(1, "A"), "DESK");
    await main.eventEngine.waitForIdle();
    assert.deepEqual(
      main.getAllActiveOrders("A.SIM").map((o) => o.vtOrderid),
      [a, c],
    );
    assert.equal(main.getAllActiveOrders().length, 3);
  });
});

describe("OmsEngine caches", () => {
  test("the tick cache holds the latest tick per instrument", async () => {
    const { main, gw } = desk();
    for (const [symbol, price] of [
      ["A", 1],
      ["B", 2],
      ["A", 3],
    ] as const) {
      gw.onTick(createTick({ gatewayName: "DESK", symbol, exchange: Exchange.SIM, datetime: price, lastPrice: price }));
    }
    await main.eventEngine.waitForIdle();
    assert.equal(main.getTick("A.SIM")?.lastPrice, 3);
    assert.equal(main.getTick("B.SIM")?.lastPrice, 2);
    assert.equal(main.getAllTicks().length, 2);
    assert.equal(main.getTick("C.SIM"), undefined);
  });

  test("contracts, accounts, positions and gateway states are cached by their ids", async () => {
    const { main, gw } = desk();
    await main.connect({}, "DESK");
    gw.onContract(createContract({ gatewayName: "DESK", symbol: "X", exchange: Exchange.SIM, name: "x", product: Product.SPOT, size: 1, priceTick: 0.01 }));
    await main.queryAccount("DESK");
    await main.queryPosition("DESK");
    await main.eventEngine.waitForIdle();
    assert.equal(main.getContract("X.SIM")?.priceTick, 0.01);
    assert.equal(main.getAccount("DESK.acc1")?.available, 900);
    assert.equal(main.getPosition("DESK.X.SIM.LONG")?.volume, 1);
    assert.equal(main.getGatewayStatus("DESK")?.status, GatewayStatus.CONNECTED);
    assert.equal(main.getAllContracts().length, 1);
    assert.equal(main.getAllAccounts().length, 1);
    assert.equal(main.getAllPositions().length, 1);
  });
});
