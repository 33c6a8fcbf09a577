import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { AmqpEventCenter, BusEvent } from "../../src/bus/index.js";
import { skipRabbit, unique } from "./rabbit.js";
import { tickwire } from "../support/tickwire.js";
import { until } from "../support/wait.js";

describe("tickwire listen and run --bus", () => {
  const children: ChildProcess[] = [];
  // Cleanup runs here, not at the end of each test, so a failing test leaves no connection open.
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  });

  test("listen --sim on the embedded broker prints the paper exchange's ticks and exits after --count", async () => {
    const p = tickwire("listen", "--bus", `memory://${unique("cli")}`, "--sim", "--key", "SIM.*", "--count", "2", "--json");
    children.push(p.child);
    assert.equal((await p.exit).code, 0, p.stderr());
    const lines = p
      .lines()
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { exchange: string; routingKey: string; name: string });
    assert.equal(lines.length, 2);
    for (const l of lines) {
      assert.equal(l.exchange, "Orderbook");
      assert.match(l.routingKey, /^SIM\.[^.]+$/);
      assert.equal(l.name, "eTick.");
    }
  });

  test("listen --bus amqp:// prints each event published to the exchange with a matching key", { skip: skipRabbit }, async () => {
    const ex = unique("ex");
    const p = tickwire("listen", "--bus", "amqp://guest:guest@127.0.0.1:5672", "--exchange", ex, "--key", "SIM.#", "--count", "2");
    children.push(p.child);
    await until(() => p.stderr().includes("tickwire listen:"), "listen to subscribe", 30_000);
    // mandatory: false, so the event no binding matches (the one listen must not print) resolves too.
    const pub = new AmqpEventCenter({ mandatory: false });
    cleanup.push(async () => {
      await pub.deleteExchange(ex).finally(() => pub.close());
    });
    await pub.connect();
    await pub.publish(new BusEvent({ name: "EVENT_ORDERBOOK", exchange: ex, routingKey: "CTP.rb2410", data: { skip: true } }));
    await pub.publish(new BusEvent({ name: "EVENT_ORDERBOOK", exchange: ex, routingKey: "SIM.rb2410", data: { p: 1 } }));
    await pub.publish(new BusEvent({ name: "EVENT_TRADE", exchange: ex, routingKey: "SIM.ag2412.x", data: { p: 2 } }));
    assert.equal((await p.exit).code, 0, p.stderr());
    assert.deepEqual(
      p.lines().filter((l) => l !== ""),
      [`${ex} SIM.rb2410 EVENT_ORDERBOOK {"p":1}`, `${ex} SIM.ag2412.x EVENT_TRADE {"p":2}`],
    );
  });

  test("run --bus amqp:// publishes the paper exchange's ticks to the Orderbook exchange and exits 0 on SIGINT", { skip: skipRabbit }, async () => {
    const sub = new AmqpEventCenter();
    const dlq = unique("dlq");
    cleanup.push(async () => {
      await sub.deleteQueue(dlq).finally(() => sub.close());
    });
    await sub.connect();
    const got: BusEvent[] = [];
    await sub.subscribe({ exchange: "Orderbook", routingKey: "SIM.*", deadLetterQueue: dlq }, (e, d) => {
      if (d.origin !== undefined) got.push(e);
    });
    const p = tickwire("run", "--bus", "amqp://guest:guest@127.0.0.1:5672", "--json", "--no-demo-orders", "--tick-rate", "20");
    children.push(p.child);
    await until(() => got.length >= 3, "three ticks from tickwire run", 30_000);
    p.child.kill("SIGINT");
    assert.equal((await p.exit).code, 0, p.stderr());
    assert.equal(got[0].name, "eTick.");
    assert.equal((got[0].data as { gatewayName: string }).gatewayName, "SIM");
  });

  test("run --json --bus amqp:// publishes every tick it prints, the first ones and the last ones", { skip: skipRabbit }, async () => {
    const sub = new AmqpEventCenter();
    const dlq = unique("dlq");
    cleanup.push(async () => {
      await sub.deleteQueue(dlq).finally(() => sub.close());
    });
    await sub.connect();
    const onBus = new Set<string>();
    const keyOf = (d: { vtSymbol: string; datetime: number; volume: number }) => `${d.vtSymbol}|${d.datetime}|${d.volume}`;
    await sub.subscribe({ exchange: "Orderbook", routingKey: "SIM.*", deadLetterQueue: dlq, prefetchCount: 100 }, (e) => {
      if (e.name === "eTick.") onBus.add(keyOf(e.data as { vtSymbol: string; datetime: number; volume: number }));
    });
    const p = tickwire("run", "--bus", "amqp://guest:guest@127.0.0.1:5672", "--json", "--no-demo-orders", "--tick-rate", "50");
    children.push(p.child);
    const printed = () =>
      p
        .lines()
        .filter((l) => l.startsWith('{"type":"eTick."'))
        .map((l) => keyOf((JSON.parse(l) as { data: { vtSymbol: string; datetime: number; volume: number } }).data));
    await until(() => printed().length >= 20, "twenty ticks printed", 30_000);
    p.child.kill("SIGINT");
    assert.equal((await p.exit).code, 0, p.stderr());
    const all = printed();
    await until(() => all.every((k) => onBus.has(k)), `all ${all.length} printed ticks on the bus`, 10_000).catch((e: Error) => {
      throw new Error(`${e.message}; missing: ${all.filter((k) => !onBus.has(k)).join(", ")}`);
    });
  });
});
