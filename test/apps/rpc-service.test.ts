import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { RpcServiceApp, TRADER_RPC_METHODS, type TraderSnapshot } from "../../src/apps/rpc-service/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { RpcClient, isTickwireError } from "../../src/rpc/index.js";
import { Direction, MainEngine, OrderType, createOrderRequest, createSubscribeRequest, Exchange } from "../../src/trader/index.js";
import { until } from "../support/wait.js";

async function serverProcess() {
  const main = new MainEngine(undefined, { log: false });
  main.addGateway(SimGateway);
  await main.connect({ seed: 3, tickRate: 20, instruments: "rb2410.SHFE,IF2412.CFFEX" }, "SIM");
  const engine = main.addApp(RpcServiceApp);
  const server = await engine.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", { heartbeatInterval: 100 });
  return { main, engine, server };
}

describe("rpc-service app", async () => {
  const { main, engine, server } = await serverProcess();
  const client = new RpcClient({ heartbeatTolerance: 2000 });
  const got: Array<{ topic: string; seq: number }> = [];
  client.subscribeTopic("");
  client.on("message", (topic, _data, seq) => got.push({ topic, seq }));
  client.start(server.repEndpoint, server.pubEndpoint);
  await client.waitForConnection(10_000);
  after(async () => {
    await client.stop();
    await main.close();
  });

  test("the service registers exactly the functions of the rpc contract", () => {
    assert.deepEqual(server.functionNames, [...TRADER_RPC_METHODS]);
  });

  test("a function outside the contract is unknown to the service", async () => {
    await assert.rejects(client.call("getAllEngineNames"), (err: unknown) => isTickwireError(err, "TW_RPC_UNKNOWN_FUNCTION"));
  });

  test("MainEngine's getters are callable remotely and return plain trader objects", async () => {
    const contracts = await client.call<Array<{ vtSymbol: string; gatewayName: string }>>("getAllContracts");
    assert.deepEqual(contracts.map((c) => c.vtSymbol).sort(), ["IF2412.CFFEX", "rb2410.SHFE"]);
    assert.equal((await client.call<{ vtSymbol: string }>("getContract", ["rb2410.SHFE"])).vtSymbol, "rb2410.SHFE");
    assert.deepEqual(await client.call("getAllGatewayNames"), ["SIM"]);
  });

  test("ticks are published once each, under the keyed type, and the timer is never published", async () => {
    await client.call("subscribe", [createSubscribeRequest({ symbol: "rb2410", exchange: Exchange.SHFE }), "SIM"]);
    await until(() => got.filter((g) => g.topic === "eTick.rb2410.SHFE").length >= 3);
    assert.equal(got.filter((g) => g.topic === "eTick.").length, 0);
    assert.equal(got.filter((g) => g.topic === "eTimer").length, 0);
    const seqs = got.map((g) => g.seq);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1]);
  });

  test("an order sent remotely returns its server vtOrderid and its updates are published", async () => {
    const tick = main.getTick("rb2410.SHFE")!;
    const req = createOrderRequest({
      symbol: "rb2410",
      exchange: Exchange.SHFE,
      direction: Direction.LONG,
      type: OrderType.MARKET,
      volume: 1,
      price: tick.askPrice1,
    });
    const vtOrderid = await client.call<string>("sendOrder", [req, "SIM"]);
    assert.match(vtOrderid, /^SIM\./);
    await until(() => got.some((g) => g.topic === `eOrder.${vtOrderid}`));
    assert.equal((await client.call<{ vtOrderid: string }>("getOrder", [vtOrderid])).vtOrderid, vtOrderid);
  });

  test("an unknown gateway name comes back as a RemoteError with the trader's code", async () => {
    await assert.rejects(client.call("sendOrder", [{}, "NOPE"]), (err: unknown) => (err as { remoteCode?: string }).remoteCode === "TW_TRADER_UNKNOWN_GATEWAY");
  });

  test("a snapshot carries the sequence number it is consistent with", async () => {
    const snap = await client.call<TraderSnapshot>("snapshot");
    assert.equal(snap.serverId, server.id);
    assert.ok(snap.seq <= server.lastSeq);
    assert.ok(snap.contracts.length === 2 && snap.accounts.length === 1);
    assert.deepEqual(snap.gatewayNames, ["SIM"]);
  });

  test("stopping the service stops publishing and frees its ports", async () => {
    await engine.stop();
    assert.equal(engine.rpcServer, undefined);
    const again = await engine.start(server.repEndpoint, server.pubEndpoint, { heartbeatInterval: 100 });
    assert.equal(again.repEndpoint, server.repEndpoint);
  });
});
