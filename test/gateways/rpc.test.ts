import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { RpcServiceApp, type RpcServiceEngine } from "../../src/apps/rpc-service/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { RpcGateway } from "../../src/gateways/rpc/index.js";
import {
  Direction,
  Exchange,
  GatewayStatus,
  Interval,
  MainEngine,
  OrderType,
  Status,
  createCancelRequest,
  createHistoryRequest,
  createOrderRequest,
  createSubscribeRequest,
  type OrderData,
} from "../../src/trader/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { until } from "../support/wait.js";

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function startServer(rep = "tcp://127.0.0.1:*", pub = "tcp://127.0.0.1:*"): Promise<{ main: MainEngine; engine: RpcServiceEngine }> {
  const main = new MainEngine(undefined, { log: false });
  main.addGateway(SimGateway);
  await main.connect({ seed: 5, tickRate: 20, instruments: "rb2410.SHFE,IF2412.CFFEX" }, "SIM");
  const engine = main.addApp(RpcServiceApp);
  await engine.start(rep, pub, { heartbeatInterval: 100 });
  closers.push(() => main.close());
  return { main, engine };
}

async function startClient(engine: RpcServiceEngine): Promise<{ main: MainEngine; gw: RpcGateway }> {
  const main = new MainEngine(undefined, { log: false });
  const gw = main.addGateway(RpcGateway);
  const server = engine.rpcServer!;
  await main.connect({ reqAddress: server.repEndpoint, subAddress: server.pubEndpoint, heartbeatTolerance: 500, timeout: 10_000 }, "RPC");
  closers.push(() => main.close());
  await gw.whenSynced();
  await main.eventEngine.waitForIdle();
  return { main, gw };
}

const marketBuy = (price: number) =>
  createOrderRequest({ symbol: "rb2410", exchange: Exchange.SHFE, direction: Direction.LONG, type: OrderType.MARKET, volume: 1, price });

describe("RpcGateway", async () => {
  const server = await startServer();
  const { main, gw } = await startClient(server.engine);

  test("the snapshot brings the server's contracts and account under the gateway's own name", () => {
    assert.deepEqual(
      main
        .getAllContracts()
        .map((c) => `${c.gatewayName}:${c.vtSymbol}`)
        .sort(),
      ["RPC:IF2412.CFFEX", "RPC:rb2410.SHFE"],
    );
    const account = main.getAllAccounts()[0];
    assert.equal(account.vtAccountid, `RPC.${account.accountid}`);
    assert.equal(main.getGatewayStatus("RPC")?.status, GatewayStatus.CONNECTED);
  });

  test("subscribed ticks arrive under the gateway's name and its keyed event type", async () => {
    const keyed: string[] = [];
    main.eventEngine.register("eTick.rb2410.SHFE", (e) => keyed.push(e.data.gatewayName));
    await main.subscribe(createSubscribeRequest({ symbol: "rb2410", exchange: Exchange.SHFE }), "RPC");
    await until(() => keyed.length >= 2);
    assert.ok(keyed.every((g) => g === "RPC"));
    assert.equal(main.getTick("rb2410.SHFE")?.gatewayName, "RPC");
  });

  test("an order round trip rewrites every id and keyed event type to the local gateway", async () => {
    const keyedTypes: string[] = [];
    main.eventEngine.registerGeneral((e) => {
      if (e.type.startsWith("eOrder.RPC.") || e.type.startsWith("eTrade.")) keyedTypes.push(e.type);
    });
    const tick = main.getTick("rb2410.SHFE")!;
    const vtOrderid = await main.sendOrder(marketBuy(tick.askPrice1), "RPC");
    assert.match(vtOrderid, /^RPC\.[^.]+$/);
    await until(() => main.getOrder(vtOrderid)?.status === Status.ALLTRADED);
    const order = main.getOrder(vtOrderid)!;
    assert.equal(order.gatewayName, "RPC");
    const trade = main.getAllTrades().find((t) => t.vtOrderid === vtOrderid)!;
    assert.equal(trade.gatewayName, "RPC");
    assert.equal(trade.vtTradeid, `RPC.${trade.tradeid}`);
    assert.ok(keyedTypes.includes(`eOrder.${vtOrderid}`));
    assert.ok(!keyedTypes.some((t) => t.startsWith("eOrder.SIM")));
    const position = main.getAllPositions().find((p) => p.vtSymbol === "rb2410.SHFE" && p.volume > 0)!;
    assert.equal(position.vtPositionid, `RPC.rb2410.SHFE.${position.direction}`);
    assert.ok(server.main.getOrder(`SIM.${order.orderid}`));
  });

  test("cancelling a resting order goes through to the server", async () => {
    const tick = main.getTick("rb2410.SHFE")!;
    const req = createOrderRequest({
      symbol: "rb2410",
      exchange: Exchange.SHFE,
      direction: Direction.LONG,
      type: OrderType.LIMIT,
      volume: 1,
      price: tick.bidPrice1 - 50 * 1,
    });
    const vtOrderid = await main.sendOrder(req, "RPC");
    await until(() => main.getOrder(vtOrderid)?.status === Status.NOTTRADED);
    const order = main.getOrder(vtOrderid)!;
    await main.cancelOrder(createCancelRequest({ orderid: order.orderid, symbol: order.symbol, exchange: order.exchange }), "RPC");
    await until(() => main.getOrder(vtOrderid)?.status === Status.CANCELLED);
  });

  test("history comes back from the server under the gateway's name", async () => {
    const end = Date.now();
    const bars = await main.queryHistory(
      createHistoryRequest({ symbol: "rb2410", exchange: Exchange.SHFE, start: end - 3_600_000, end, interval: Interval.MINUTE }),
      "RPC",
    );
    assert.ok(bars.length > 0);
    assert.ok(bars.every((b) => b.gatewayName === "RPC"));
  });

  test("an unknown symbol is refused with TW_RPC_GATEWAY_UNKNOWN_SYMBOL", async () => {
    await assert.rejects(
      Promise.resolve().then(() => main.sendOrder(createOrderRequest({ symbol: "XX", exchange: Exchange.SHFE, direction: Direction.LONG, volume: 1 }), "RPC")),
      (err: unknown) => isTickwireError(err, "TW_RPC_GATEWAY_UNKNOWN_SYMBOL"),
    );
  });

  test("a bad setting is refused with TW_RPC_GATEWAY_BAD_OPTION", async () => {
    const m = new MainEngine(undefined, { log: false });
    m.addGateway(RpcGateway);
    try {
      await assert.rejects(m.connect({ serverKey: "not-a-key" }, "RPC"), (err: unknown) => isTickwireError(err, "TW_RPC_GATEWAY_BAD_OPTION"));
    } finally {
      await m.close();
    }
  });
  void gw;
});

describe("RpcGateway across server restarts", () => {
  test("it reports DISCONNECTED when the server goes away and resyncs when a new one comes", async () => {
    const first = await startServer();
    const rep = first.engine.rpcServer!.repEndpoint;
    const pub = first.engine.rpcServer!.pubEndpoint;
    const { main, gw } = await startClient(first.engine);
    await first.main.close();
    await until(() => main.getGatewayStatus("RPC")?.status === GatewayStatus.DISCONNECTED);
    const synced = gw.whenSynced();
    const second = await startServer(rep, pub);
    const tick = second.main.getTick("rb2410.SHFE");
    await synced;
    await until(() => main.getGatewayStatus("RPC")?.status === GatewayStatus.RECONNECTED);
    const vtOrderid = await main.sendOrder(marketBuy(tick?.askPrice1 ?? 0), "RPC");
    await until(() => main.getOrder(vtOrderid) !== undefined);
  });

  test("streamed updates newer than a slow snapshot are not overwritten by it", async () => {
    const server = await startServer();
    const rpc = server.engine.rpcServer!;
    let lateOrder = "";
    // A snapshot taken, then held back while a new order streams past it.
    rpc.register("snapshot", async () => {
      const snap = await server.engine.snapshot();
      const t = server.main.getTick("rb2410.SHFE");
      lateOrder = await server.main.sendOrder(marketBuy(t?.askPrice1 ?? 0), "SIM");
      await until(() => server.main.getOrder(lateOrder)?.status === Status.ALLTRADED);
      await new Promise((r) => setTimeout(r, 200));
      return snap;
    });
    const { main } = await startClient(server.engine);
    const local = main.getOrder(`RPC.${lateOrder.split(".")[1]}`) as OrderData | undefined;
    assert.ok(local, "the order streamed during the snapshot is known");
    assert.equal(local.status, Status.ALLTRADED);
  });
});
