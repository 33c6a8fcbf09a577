import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { RpcServiceApp } from "../../src/apps/rpc-service/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { RemoteError, RpcClient } from "../../src/rpc/index.js";
import { Direction, Exchange, MainEngine, Offset, OrderType, Status, createCancelRequest, createOrderRequest } from "../../src/trader/index.js";

/** True for the server's TW_TRADER_BAD_REQUEST, as an RPC client sees it. */
function remoteBadRequest(err: unknown): boolean {
  return err instanceof RemoteError && err.remoteCode === "TW_TRADER_BAD_REQUEST";
}

describe("rpc-service: requests from an untrusted client", async () => {
  const main = new MainEngine(undefined, { log: false });
  main.addGateway(SimGateway);
  await main.connect({ seed: 9, tickRate: 5, instruments: "rb2410.SHFE" }, "SIM");
  const server = await main.addApp(RpcServiceApp).start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", { heartbeatInterval: 100 });
  const client = new RpcClient({ heartbeatTolerance: 2000 });
  client.start(server.repEndpoint, server.pubEndpoint);
  await client.waitForConnection(10_000);
  after(async () => {
    await client.stop();
    await main.close();
  });
  const order = createOrderRequest({
    symbol: "rb2410",
    exchange: Exchange.SHFE,
    direction: Direction.LONG,
    type: OrderType.MARKET,
    volume: 1,
    offset: Offset.OPEN,
  });

  test("a MARKET order with a NaN, infinite or string price is refused with TW_TRADER_BAD_REQUEST and the account stays finite", async () => {
    for (const price of [NaN, Infinity, -Infinity, "3900", null]) {
      await assert.rejects(client.call("sendOrder", [{ ...order, price }, "SIM"]), remoteBadRequest);
    }
    await main.eventEngine.waitForIdle();
    const account = main.getAccount("SIM.PAPER")!;
    assert.ok([account.balance, account.frozen, account.available].every(Number.isFinite), JSON.stringify(account));
    assert.equal(main.getAllOrders().length, 0);
  });

  test("an order the account cannot afford is still refused for insufficient funds after those", async () => {
    const id = await client.call<string>("sendOrder", [{ ...order, volume: 100_000 }, "SIM"]);
    await main.eventEngine.waitForIdle();
    assert.equal(main.getOrder(id)?.status, Status.REJECTED);
    assert.match(main.getOrder(id)?.statusMsg ?? "", /insufficient funds/);
  });

  test("a cancel with an orderid that is not a string, and a gateway name that is a BigInt, get typed errors", async () => {
    const cancel = createCancelRequest({ orderid: "1", symbol: "rb2410", exchange: Exchange.SHFE });
    await assert.rejects(client.call("cancelOrder", [{ ...cancel, orderid: 1 }, "SIM"]), remoteBadRequest);
    await assert.rejects(client.call("cancelOrder", [null, "SIM"]), remoteBadRequest);
    await assert.rejects(
      client.call("sendOrder", [order, 10n]),
      (err: unknown) => err instanceof RemoteError && err.remoteCode === "TW_TRADER_UNKNOWN_GATEWAY",
    );
  });

  test("a history request with a NaN start is refused with TW_TRADER_BAD_REQUEST", async () => {
    const req = { symbol: "rb2410", exchange: Exchange.SHFE, vtSymbol: "rb2410.SHFE", start: NaN, end: Date.now(), interval: "1m" };
    await assert.rejects(client.call("queryHistory", [req, "SIM"]), remoteBadRequest);
  });
});
