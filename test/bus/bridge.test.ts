import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { AmqpEventCenter, EventBridge, MemoryEventCenter, type EventCenter } from "../../src/bus/index.js";
import { Event, EventEngine, isTickwireError } from "../../src/event/index.js";
import { skipRabbit, unique } from "./rabbit.js";
import { until } from "./wait.js";

const memoryBroker = unique("bridge");
const kinds = [
  { name: "on the embedded broker", skip: false as string | false, make: (): EventCenter => new MemoryEventCenter({ url: `memory://${memoryBroker}` }) },
  { name: "on RabbitMQ", skip: skipRabbit, make: (): EventCenter => new AmqpEventCenter() },
];

for (const kind of kinds) {
  describe(`EventBridge ${kind.name}`, { skip: kind.skip }, () => {
    const stops: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const s of stops.splice(0).reverse()) await s();
    });

    async function node(exchange: string) {
      const engine = new EventEngine();
      const center = kind.make();
      await center.connect();
      const bridge = new EventBridge({
        engine,
        center,
        outbound: [{ type: "eTick.", exchange }],
        inbound: [{ exchange, routingKey: "SIM.#" }],
      });
      await bridge.start();
      engine.start();
      const ticks: Event[] = [];
      engine.register("eTick.", (e) => void ticks.push(e));
      stops.push(async () => {
        await bridge.stop();
        await engine.stop();
        await center.close();
      });
      return { engine, center, bridge, ticks };
    }

    test("a local event of a forwarded type reaches the other engine once, and is not echoed back", async () => {
      const exchange = unique("ex");
      const a = await node(exchange);
      const b = await node(exchange);
      stops.push(async () => {
        const admin = kind.make();
        await admin.connect();
        await admin.deleteExchange(exchange);
        await admin.close();
      });
      a.engine.put(new Event("eTick.", { gatewayName: "SIM", symbol: "rb2410", lastPrice: 3456 }));
      await until(() => b.ticks.length === 1, "the tick on B");
      const remote = b.ticks[0];
      assert.deepEqual(remote.data, { gatewayName: "SIM", symbol: "rb2410", lastPrice: 3456 });
      assert.deepEqual((remote.context?.bus as { routingKey: string }).routingKey, "SIM.rb2410");
      // A second event from B proves the queues are drained: nothing of the first came back to A.
      b.engine.put(new Event("eTick.", { gatewayName: "SIM", symbol: "ag2412", lastPrice: 1 }));
      await until(() => a.ticks.length === 2, "B's tick on A");
      await a.engine.waitForIdle();
      assert.deepEqual(
        a.ticks.map((e) => (e.data as { symbol: string }).symbol),
        ["rb2410", "ag2412"],
      );
      assert.equal(b.ticks.length, 2);
      assert.equal(a.bridge.stats().forwarded, 1, "A forwarded its own tick only");
      assert.equal(b.bridge.stats().forwarded, 1, "B did not forward A's tick back");
      assert.equal(a.bridge.stats().droppedEchoes, 1, "A's own tick came back through its subscription and was dropped");
    });

    test("a bridge whose inbound subscription is refused leaves nothing behind: no handler forwards events", async () => {
      const engine = new EventEngine();
      const center = kind.make();
      stops.push(async () => {
        await engine.stop();
        await center.close();
      });
      await center.connect();
      engine.start();
      const bridge = new EventBridge({
        engine,
        center,
        outbound: [{ type: "eTick.", exchange: unique("ex") }],
        inbound: [{ exchange: "Orderbook", queue: "amq.not-allowed" }],
      });
      await assert.rejects(bridge.start(), (e: unknown) => isTickwireError(e, "TW_BUS_SPEC"));
      engine.put(new Event("eTick.", { gatewayName: "SIM", symbol: "rb2410" }));
      await engine.waitForIdle();
      assert.equal(bridge.stats().forwarded, 0);
      assert.equal(center.stats().published, 0);
    });

    test("a route without an exchange is refused with TW_BUS_BRIDGE", () => {
      assert.throws(
        () => new EventBridge({ engine: new EventEngine(), center: kind.make(), outbound: [{ type: "eTick.", exchange: "" }] }),
        (e: unknown) => isTickwireError(e, "TW_BUS_BRIDGE"),
      );
    });
  });
}
