import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { RpcServiceApp } from "../../src/apps/rpc-service/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { RemoteError, RpcClient } from "../../src/rpc/index.js";
import { Exchange, Interval, MainEngine, createHistoryRequest, type BarData, type HistoryRequest } from "../../src/trader/index.js";

const MINUTE = 60_000;

async function startClient(rep: string, pub: string): Promise<RpcClient> {
  const client = new RpcClient({ heartbeatTolerance: 5000, timeout: 60_000 });
  client.start(rep, pub);
  await client.waitForConnection(10_000);
  return client;
}

describe("rpc-service history requests", async () => {
  const main = new MainEngine(undefined, { log: false });
  main.addGateway(SimGateway);
  // 20 ticks a second: every simulated minute bar replays 1,200 ticks on the server's event loop.
  await main.connect({ seed: 5, tickRate: 20, instruments: "rb2410.SHFE" }, "SIM");
  const service = main.addApp(RpcServiceApp);
  const server = await service.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", { heartbeatInterval: 20 });
  const alice = await startClient(server.repEndpoint, server.pubEndpoint);
  const bob = await startClient(server.repEndpoint, server.pubEndpoint);
  after(async () => {
    await alice.stop();
    await bob.stop();
    await main.close();
  });
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  const minutes = (n: number, interval: Interval = Interval.MINUTE): HistoryRequest =>
    createHistoryRequest({ symbol: "rb2410", exchange: Exchange.SHFE, start: end - n * MINUTE, end, interval });

  test("a history request over maxHistoryBars is refused with its limit before the gateway does any work", async () => {
    const query = main.queryHistory.bind(main);
    let gatewayCalls = 0;
    main.queryHistory = (req, gatewayName) => {
      gatewayCalls++;
      return query(req, gatewayName);
    };
    try {
      await assert.rejects(alice.call("queryHistory", [minutes(249_000), "SIM"]), (err: unknown) => {
        assert.ok(err instanceof RemoteError);
        assert.equal(err.remoteCode, "TW_RPC_SERVICE_HISTORY_TOO_LARGE");
        assert.match(err.remoteMessage, /249000 1m bars .* at most 50000/);
        return true;
      });
      assert.equal(gatewayCalls, 0);
    } finally {
      main.queryHistory = query;
    }
  });

  test("another client's call and the heartbeats are served while a long history request runs", async () => {
    const order: string[] = [];
    const heartbeats = bob.stats().heartbeats;
    let heartbeatsMeanwhile = 0;
    const history = alice.call<BarData[]>("queryHistory", [minutes(2000), "SIM"]).then((bars) => {
      order.push("history");
      heartbeatsMeanwhile = bob.stats().heartbeats - heartbeats;
      return bars;
    });
    // Sent after the history request: it must not wait for it.
    const names = await bob.call<string[]>("getAllGatewayNames");
    order.push("bob");
    const bars = await history;
    assert.deepEqual(names, ["SIM"]);
    assert.deepEqual(order, ["bob", "history"]);
    assert.ok(heartbeatsMeanwhile >= 2, `heartbeats while the history ran: ${heartbeatsMeanwhile}`);
    assert.equal(bars.length, 2000);
  });

  test("a history answered in pages equals the gateway's single query, for minute and hour bars", async () => {
    for (const req of [minutes(1001), minutes(24 * 60 + 17, Interval.HOUR)]) {
      const remote = await alice.call<BarData[]>("queryHistory", [{ ...req, start: req.start + 1234 }, "SIM"]);
      const local = await main.queryHistory({ ...req, start: req.start + 1234 }, "SIM");
      assert.ok(local.length > 0);
      assert.deepEqual(remote, local);
    }
  });
});

describe("rpc-service history limit", () => {
  test("the limit is lowered to what fits in maxMessageSize", async () => {
    const main = new MainEngine(undefined, { log: false });
    main.addGateway(SimGateway);
    await main.connect({ seed: 5, instruments: "rb2410.SHFE" }, "SIM");
    const server = await main.addApp(RpcServiceApp).start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", { heartbeatInterval: 50, maxMessageSize: 1024 * 1024 });
    const client = await startClient(server.repEndpoint, server.pubEndpoint);
    try {
      const end = Math.floor(Date.now() / MINUTE) * MINUTE;
      const req = createHistoryRequest({ symbol: "rb2410", exchange: Exchange.SHFE, start: end - 5000 * MINUTE, end, interval: Interval.MINUTE });
      await assert.rejects(
        client.call("queryHistory", [req, "SIM"]),
        (err: unknown) => err instanceof RemoteError && /at most 4096 bars/.test(err.remoteMessage),
      );
    } finally {
      await client.stop();
      await main.close();
    }
  });

  test("a maxHistoryBars that is not a whole number >= 1 is refused at start", async () => {
    const main = new MainEngine(undefined, { log: false });
    try {
      const service = main.addApp(RpcServiceApp);
      for (const maxHistoryBars of [0, -1, 1.5, Number.NaN]) {
        await assert.rejects(
          service.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", { maxHistoryBars }),
          (err: unknown) => (err as { code?: string }).code === "TW_RPC_SERVICE_BAD_OPTION",
        );
      }
      assert.equal(service.rpcServer, undefined);
    } finally {
      await main.close();
    }
  });
});
