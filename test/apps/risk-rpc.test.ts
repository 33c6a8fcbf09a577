import { after, test } from "node:test";
import assert from "node:assert/strict";
import { RiskApp } from "../../src/apps/risk/index.js";
import { RpcServiceApp } from "../../src/apps/rpc-service/index.js";
import { RpcGateway } from "../../src/gateways/rpc/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { Direction, Exchange, MainEngine, OrderType, Status, createOrderRequest, type OrderData } from "../../src/trader/index.js";
import { until } from "../support/wait.js";

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

test("an RPC client's order is checked on the server: refused with the rule's code, its REJECTED order published back", async () => {
  const server = new MainEngine(undefined, { log: false });
  const sim = server.addGateway(SimGateway);
  await server.connect({ seed: 5, tickRate: 20, instruments: "rb2410.SHFE" }, "SIM");
  const risk = server.addApp(RiskApp);
  risk.configure({ orderSizeLimit: 1 });
  const service = server.addApp(RpcServiceApp);
  const rpc = await service.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", { heartbeatInterval: 100 });
  closers.push(() => server.close());

  const client = new MainEngine(undefined, { log: false });
  const gw = client.addGateway(RpcGateway);
  await client.connect({ reqAddress: rpc.repEndpoint, subAddress: rpc.pubEndpoint, heartbeatTolerance: 500, timeout: 10_000 }, "RPC");
  closers.push(() => client.close());
  await gw.whenSynced();
  const seen: OrderData[] = [];
  client.eventEngine.register("eOrder.", (e) => void seen.push(e.data));

  const before = sim.exchange.lastId;
  const req = createOrderRequest({ symbol: "rb2410", exchange: Exchange.SHFE, direction: Direction.LONG, type: OrderType.MARKET, volume: 2 });
  await assert.rejects(Promise.resolve(client.sendOrder(req, "RPC")), (e: unknown) => (e as { remoteCode?: string }).remoteCode === "TW_RISK_ORDER_SIZE");
  await until(() => seen.some((o) => o.status === Status.REJECTED));
  const rejected = seen.find((o) => o.status === Status.REJECTED)!;
  assert.equal(rejected.gatewayName, "RPC");
  assert.match(rejected.statusMsg, /orderSizeLimit 1/);
  assert.equal(sim.exchange.lastId, before);
  assert.equal(risk.stats().refusals.orderSizeLimit, 1);
});
