/**
 * RabbitMQ restarts (`rabbitmqctl stop_app` / `start_app`) under publishers and subscribers: a
 * confirmed publish is one that reached a queue. These tests stop the shared broker for a few
 * seconds at a time and always start it again.
 *
 * @serial: npm test runs this file alone, after the others (test/run.ts), since every test that
 * uses RabbitMQ would fail while the broker is stopped.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { AmqpEventCenter, BusEvent } from "../../src/bus/index.js";
import { isTickwireError } from "../../src/event/index.js";
import { rawChannel, skipRabbit, startBroker, unique, whileBrokerDown } from "./rabbit.js";
import { until } from "./wait.js";

describe("AmqpEventCenter across broker restarts", { skip: skipRabbit }, () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  /** Deletes the queues and exchange after the suite (with a fresh connection: the broker restarted meanwhile). */
  function names() {
    const ex = unique("ex");
    const q = unique("q");
    cleanup.push(async () => {
      await startBroker(); // a no-op when it is up; guards against a test that failed mid-restart
      const raw = await rawChannel();
      for (const name of [q, `${q}.dead-letter`]) await raw.ch.deleteQueue(name).catch(() => undefined);
      await raw.ch.deleteExchange(ex).catch(() => undefined);
      await raw.close();
    });
    return { ex, q };
  }

  function center(options: ConstructorParameters<typeof AmqpEventCenter>[0] = {}): AmqpEventCenter {
    const c = new AmqpEventCenter(options);
    cleanup.push(() => c.close());
    return c;
  }

  test(
    "200 publishes made while the broker is down, ten restarts in a row: every one confirmed and received by a subscriber that reconnected too (transient exchanges)",
    { timeout: 300_000 },
    async (t) => {
      const { ex, q } = names();
      // aioquant's transient exchanges: the restart drops the exchange and the binding; the publisher
      // may come back before the subscriber has bound its queue again, and must not count that as sent.
      const pub = center({ durableExchanges: false });
      const sub = center({ durableExchanges: false });
      await pub.connect();
      await sub.connect();
      const got = new Set<number>();
      await sub.subscribe({ exchange: ex, queue: q, prefetchCount: 50 }, (e) => void got.add(e.data as number));
      let next = 0;
      for (let cycle = 1; cycle <= 10; cycle++) {
        const sent = await whileBrokerDown(async () => {
          await until(() => pub.stats().state === "reconnecting" && sub.stats().state === "reconnecting", "both centers to notice");
          return Array.from({ length: 200 }, () => {
            const i = next++;
            return pub.publish(new BusEvent({ name: "n", exchange: ex, data: i })).then(() => i);
          });
        });
        const results = await Promise.allSettled(sent);
        const confirmed = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
        await until(() => confirmed.every((i) => got.has(i)), `cycle ${cycle}: the ${confirmed.length} confirmed publishes at the subscriber`).catch(
          (e: Error) => {
            throw new Error(`${e.message}; ${confirmed.filter((i) => !got.has(i)).length} confirmed and never received`);
          },
        );
        assert.equal(confirmed.length, 200, `cycle ${cycle}: every publish confirmed`);
      }
      t.diagnostic(`publisher unroutable: ${pub.stats().unroutable}, reconnects: ${pub.stats().reconnects}`);
      assert.equal(pub.stats().unroutable, 0);
    },
  );

  test("a named queue bound to a default (durable) exchange keeps its binding across a restart while its consumer is away", { timeout: 60_000 }, async () => {
    const { ex, q } = names();
    const first = center();
    await first.connect();
    await first.subscribe({ exchange: ex, queue: q }, () => undefined);
    await first.close(); // the consumer goes away; its queue stays
    const pub = center({ unroutableTimeoutMs: 0 });
    await pub.connect();
    await whileBrokerDown(() => until(() => pub.stats().state === "reconnecting", "the publisher to notice"));
    await until(() => pub.stats().state === "connected", "the publisher to reconnect");
    await pub.publish(new BusEvent({ name: "n", exchange: ex, data: 1 }));
    const raw = await rawChannel();
    try {
      assert.equal((await raw.ch.checkQueue(q)).messageCount, 1, "the event waits in the queue");
    } finally {
      await raw.close();
    }
  });
});

describe("AmqpEventCenter publishes that no queue takes", { skip: skipRabbit }, () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  async function connected(options: ConstructorParameters<typeof AmqpEventCenter>[0] = {}) {
    const c = new AmqpEventCenter(options);
    const ex = unique("ex");
    const q = unique("q");
    const raw = await rawChannel();
    cleanup.push(async () => {
      await c.close();
      await raw.ch.deleteQueue(q).catch(() => undefined);
      await raw.ch.deleteExchange(ex).catch(() => undefined);
      await raw.close();
    });
    await c.connect();
    return { c, ex, q, raw };
  }

  test("a publish no queue takes is sent again and rejected with TW_BUS_UNROUTABLE past unroutableTimeoutMs, counted in stats()", async () => {
    const { c, ex } = await connected({ unroutableTimeoutMs: 300 });
    await assert.rejects(c.publish(new BusEvent({ name: "n", exchange: ex, data: 1 })), (e: unknown) => isTickwireError(e, "TW_BUS_UNROUTABLE"));
    const h = c.stats();
    assert.equal(h.unroutable, 1);
    assert.equal(h.buffered, 0);
    assert.equal(h.confirmed, 0);
  });

  test("a publish no queue takes yet is delivered once a queue is bound within unroutableTimeoutMs", async () => {
    const { c, ex, q, raw } = await connected();
    // Declared, and msgpack (no batched compression first): the publish goes out at once.
    await c.declareExchange(ex);
    const sent = c.publish(new BusEvent({ name: "n", exchange: ex, data: 1 }), { codec: "msgpack" });
    assert.equal(c.stats().unconfirmed, 1);
    // Returned by the broker and waiting to be sent again (a confirm for it would have resolved it).
    await until(() => c.stats().buffered === 1 && c.stats().unconfirmed === 0, "the publish to come back", 5000);
    await raw.ch.assertQueue(q);
    await raw.ch.bindQueue(q, ex, "#");
    await sent;
    assert.equal((await raw.ch.checkQueue(q)).messageCount, 1);
    assert.equal(c.stats().unroutable, 0);
  });

  test("with mandatory: false a publish no queue takes resolves, as in aioquant", async () => {
    const { c, ex } = await connected({ mandatory: false });
    await c.publish(new BusEvent({ name: "n", exchange: ex, data: 1 }));
    assert.equal(c.stats().confirmed, 1);
  });
});
