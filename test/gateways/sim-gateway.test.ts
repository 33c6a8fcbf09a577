import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { SimGateway } from "../../src/gateways/sim/index.js";
import {
  Direction,
  Exchange,
  GatewayStatus,
  Interval,
  MainEngine,
  Offset,
  OrderType,
  Status,
  createCancelRequest,
  createHistoryRequest,
  createOrderRequest,
  createSubscribeRequest,
  type OrderData,
  type TickData,
  type TraderEvents,
} from "../../src/trader/index.js";
import type { EventType } from "../../src/event/index.js";

const START = Date.UTC(2024, 2, 5, 6, 0);
const engines: MainEngine[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

async function connected(setting: Record<string, unknown> = {}): Promise<{ main: MainEngine; gw: SimGateway }> {
  const main = new MainEngine(undefined, { log: false });
  engines.push(main);
  const gw = main.addGateway(SimGateway);
  await main.connect({ seed: 7, startTime: START, ...setting }, "SIM");
  await main.eventEngine.waitForIdle();
  return { main, gw };
}

/**
 * Waits for `p` while holding the process open: the sim's clock timers are unref'd (a gateway
 * alone never keeps a process alive), so a test waiting for ticks must.
 */
async function alive<T>(p: Promise<T>): Promise<T> {
  const hold = setInterval(() => {}, 1000);
  try {
    return await p;
  } finally {
    clearInterval(hold);
  }
}

function nextEvent<T>(main: MainEngine, type: EventType<TraderEvents>, pred: (d: T) => boolean = () => true): Promise<T> {
  return alive(
    new Promise((resolve) => {
      const h = (e: { data: unknown }) => {
        if (!pred(e.data as T)) return;
        main.eventEngine.unregister(type, h);
        resolve(e.data as T);
      };
      main.eventEngine.register(type, h);
    }),
  );
}

describe("SimGateway", () => {
  test("connecting publishes every contract, the account and the CONNECTED state", async () => {
    const { main } = await connected();
    assert.deepEqual(
      main
        .getAllContracts()
        .map((c) => c.vtSymbol)
        .sort(),
      ["600519.SSE", "AAPL.NASDAQ", "BTCUSDT.BINANCE", "IF2412.CFFEX", "rb2410.SHFE"],
    );
    const account = main.getAccount("SIM.PAPER");
    assert.equal(account?.balance, 1_000_000);
    assert.equal(main.getGatewayStatus("SIM")?.status, GatewayStatus.CONNECTED);
  });

  test("the instruments setting picks instruments from the catalog", async () => {
    const { main } = await connected({ instruments: "rb2410.SHFE,AAPL.NASDAQ" });
    assert.deepEqual(
      main
        .getAllContracts()
        .map((c) => c.vtSymbol)
        .sort(),
      ["AAPL.NASDAQ", "rb2410.SHFE"],
    );
  });

  test("a bad setting is refused with TW_SIM_BAD_OPTION and an unknown instrument with TW_SIM_UNKNOWN_INSTRUMENT", async () => {
    const main = new MainEngine(undefined, { log: false });
    engines.push(main);
    main.addGateway(SimGateway);
    // @ts-expect-error a string for a number: refused at run time too
    await assert.rejects(main.connect({ tickRate: "fast" }, "SIM"), { code: "TW_SIM_BAD_OPTION" });
    await assert.rejects(main.connect({ instruments: "XX.SHFE" }, "SIM"), { code: "TW_SIM_UNKNOWN_INSTRUMENT" });
  });

  test("a subscribed instrument ticks on the timer, published under eTick. and eTick.<vtSymbol>", async () => {
    const { main } = await connected({ tickRate: 50 });
    const general: TickData[] = [];
    const keyed: TickData[] = [];
    main.eventEngine.register("eTick.", (e) => void general.push(e.data));
    main.eventEngine.register("eTick.IF2412.CFFEX", (e) => void keyed.push(e.data));
    const fifth = new Promise<void>((resolve) => {
      main.eventEngine.register("eTick.IF2412.CFFEX", () => {
        if (keyed.length === 5) resolve();
      });
    });
    main.subscribe(createSubscribeRequest({ symbol: "IF2412", exchange: Exchange.CFFEX }), "SIM");
    await alive(fifth);
    const ifTicks = general.filter((t) => t.vtSymbol === "IF2412.CFFEX");
    assert.deepEqual(ifTicks.slice(0, 5), keyed.slice(0, 5));
    assert.ok(
      general.every((t) => t.vtSymbol === "IF2412.CFFEX"),
      "only the subscribed instrument is published",
    );
    assert.ok(keyed[4].datetime > keyed[0].datetime);
    assert.equal(main.getTick("IF2412.CFFEX")?.gatewayName, "SIM");
  });

  test("subscribing to an instrument the exchange does not list throws TW_SIM_UNKNOWN_SYMBOL", async () => {
    const { main } = await connected();
    assert.throws(() => main.subscribe(createSubscribeRequest({ symbol: "cu2410", exchange: Exchange.SHFE }), "SIM"), {
      code: "TW_SIM_UNKNOWN_SYMBOL",
    });
  });

  test("a market order goes SUBMITTING, NOTTRADED, ALLTRADED and the OMS holds its trade, position and account", async () => {
    const { main } = await connected();
    const statuses: Status[] = [];
    const vtOrderid = await main.sendOrder(
      createOrderRequest({ symbol: "rb2410", exchange: Exchange.SHFE, direction: Direction.LONG, type: OrderType.MARKET, volume: 2, offset: Offset.OPEN }),
      "SIM",
    );
    main.eventEngine.register(`eOrder.${vtOrderid}`, (e) => void statuses.push(e.data.status));
    // Registered after sending: the events are still queued, so the keyed handler sees all of them.
    await main.eventEngine.waitForIdle();
    assert.deepEqual(statuses, [Status.SUBMITTING, Status.NOTTRADED, Status.ALLTRADED]);
    const order = main.getOrder(vtOrderid)!;
    assert.equal(order.traded, 2);
    const trades = main.getAllTrades().filter((t) => t.vtOrderid === vtOrderid);
    assert.equal(
      trades.reduce((s, t) => s + t.volume, 0),
      2,
    );
    const position = main.getPosition("SIM.rb2410.SHFE.LONG")!;
    assert.equal(position.volume, 2);
    const account = main.getAccount("SIM.PAPER")!;
    assert.ok(account.frozen > 0);
    assert.ok(Math.abs(account.available - (account.balance - account.frozen)) < 1e-9);
    assert.equal(main.getAllActiveOrders().length, 0);
  });

  test("a rejected order carries its reason in statusMsg", async () => {
    const { main } = await connected();
    const vtOrderid = await main.sendOrder(
      createOrderRequest({ symbol: "600519", exchange: Exchange.SSE, direction: Direction.LONG, type: OrderType.LIMIT, volume: 50, price: 1700 }),
      "SIM",
    );
    await main.eventEngine.waitForIdle();
    const order = main.getOrder(vtOrderid)!;
    assert.equal(order.status, Status.REJECTED);
    assert.match(order.statusMsg, /not a multiple of the minimum volume 100/);
  });

  test("a resting order can be cancelled through the main engine", async () => {
    const { main } = await connected();
    const vtOrderid = await main.sendOrder(
      createOrderRequest({ symbol: "AAPL", exchange: Exchange.NASDAQ, direction: Direction.LONG, type: OrderType.LIMIT, volume: 10, price: 150 }),
      "SIM",
    );
    await main.eventEngine.waitForIdle();
    assert.equal(main.getAllActiveOrders().length, 1);
    const cancelled = nextEvent<OrderData>(main, `eOrder.${vtOrderid}`, (o) => o.status === Status.CANCELLED);
    main.cancelOrder(createCancelRequest(main.getOrder(vtOrderid)!), "SIM");
    await cancelled;
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(vtOrderid)?.status, Status.CANCELLED);
    assert.equal(main.getAllActiveOrders().length, 0);
  });

  test("queryPosition and queryAccount push the current state with P&L marked to market", async () => {
    const { main, gw } = await connected();
    await main.sendOrder(
      createOrderRequest({ symbol: "BTCUSDT", exchange: Exchange.BINANCE, direction: Direction.LONG, type: OrderType.MARKET, volume: 0.5 }),
      "SIM",
    );
    gw.generateTicks(500, false);
    main.queryPosition("SIM");
    main.queryAccount("SIM");
    await main.eventEngine.waitForIdle();
    const p = main.getPosition("SIM.BTCUSDT.BINANCE.NET")!;
    const last = gw.exchange.getMarket("BTCUSDT.BINANCE")!.lastPrice;
    assert.ok(Math.abs(p.pnl - (last - p.price) * 0.5) < 1e-6);
    const account = main.getAccount("SIM.PAPER")!;
    assert.ok(Math.abs(account.balance - gw.exchange.account.balance) < 1e-6);
  });

  test("queryHistory returns minute bars of the walk as BarData", async () => {
    const { main } = await connected();
    const bars = await main.queryHistory(
      createHistoryRequest({ symbol: "rb2410", exchange: Exchange.SHFE, start: START - 3600_000, end: START, interval: Interval.MINUTE }),
      "SIM",
    );
    assert.equal(bars.length, 60);
    assert.equal(bars[0].datetime, START - 3600_000);
    assert.equal(bars[0].vtSymbol, "rb2410.SHFE");
    assert.equal(bars[0].interval, Interval.MINUTE);
    assert.ok(bars.every((b) => b.highPrice >= b.lowPrice && b.volume > 0));
  });

  test("generateTicks pushes ticks in bulk into the OMS", async () => {
    const { main, gw } = await connected();
    gw.subscribeAll(); // pushes each instrument's current tick
    await main.eventEngine.waitForIdle();
    let n = 0;
    main.eventEngine.register("eTick.", () => void n++);
    gw.generateTicks(1000);
    await main.eventEngine.waitForIdle();
    assert.equal(n, 1000);
    assert.equal(main.getAllTicks().length, 5);
  });

  test("connecting again opens a new session whose order ids do not repeat the old ones", async () => {
    const { main } = await connected();
    const req = createOrderRequest({ symbol: "AAPL", exchange: Exchange.NASDAQ, direction: Direction.LONG, type: OrderType.MARKET, volume: 1 });
    const first = await main.sendOrder(req, "SIM");
    await main.connect({ seed: 7, startTime: START }, "SIM");
    const second = await main.sendOrder(req, "SIM");
    await main.eventEngine.waitForIdle();
    assert.notEqual(second, first);
    assert.equal(main.getOrder(first)?.status, Status.ALLTRADED);
    assert.equal(main.getOrder(second)?.status, Status.ALLTRADED);
    assert.equal(main.getGatewayStatus("SIM")?.status, GatewayStatus.RECONNECTED);
  });

  test("orders still working when a session closes are reported CANCELLED, so none stays active in the OMS", async () => {
    const { main, gw } = await connected();
    const ask = gw.exchange.getMarket("AAPL.NASDAQ")!.askPrice[0];
    const req = createOrderRequest({ symbol: "AAPL", exchange: Exchange.NASDAQ, direction: Direction.LONG, type: OrderType.LIMIT, volume: 1, price: ask - 1 });
    const resting = await main.sendOrder(req, "SIM");
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(resting)?.status, Status.NOTTRADED);
    await main.connect({ seed: 7, startTime: START }, "SIM");
    assert.equal(main.getOrder(resting)?.status, Status.CANCELLED);
    assert.match(main.getOrder(resting)?.statusMsg ?? "", /session closed/);
    assert.deepEqual(main.getAllActiveOrders(), []);
  });

  test("a connect that fails on its settings reports DISCONNECTED with the reason", async () => {
    const main = new MainEngine(undefined, { log: false });
    engines.push(main);
    main.addGateway(SimGateway);
    // @ts-expect-error a string for a number: refused at run time too
    await assert.rejects(main.connect({ seed: "x" }, "SIM"), { code: "TW_SIM_BAD_OPTION" });
    await main.eventEngine.waitForIdle();
    const status = main.getGatewayStatus("SIM");
    assert.equal(status?.status, GatewayStatus.DISCONNECTED);
    assert.match(status?.msg ?? "", /seed/);
  });

  test("calls before connect throw TW_SIM_NOT_CONNECTED", async () => {
    const main = new MainEngine(undefined, { log: false });
    engines.push(main);
    main.addGateway(SimGateway);
    assert.throws(
      () => main.sendOrder(createOrderRequest({ symbol: "rb2410", exchange: Exchange.SHFE, direction: Direction.LONG, volume: 1, price: 3600 }), "SIM"),
      { code: "TW_SIM_NOT_CONNECTED" },
    );
  });

  test("close stops the clock and reports DISCONNECTED", async () => {
    const { main, gw } = await connected({ tickRate: 100 });
    gw.subscribeAll();
    await nextEvent(main, "eTick.");
    await gw.close();
    await main.eventEngine.waitForIdle();
    assert.equal(main.getGatewayStatus("SIM")?.status, GatewayStatus.DISCONNECTED);
    let after = 0;
    main.eventEngine.register("eTick.", () => void after++);
    await new Promise((r) => setTimeout(r, 100)); // ref'd: holds the process while the clock would have ticked
    await main.eventEngine.waitForIdle();
    assert.equal(after, 0);
  });
});
