/** RabbitMQ-only behaviour: default exchanges, queue flags, buffering, and a connection killed mid-stream. */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  AmqpEventCenter,
  BusEvent,
  DEFAULT_EXCHANGES,
  HEADER,
  aioquantCodec,
  createEventCenter,
  MemoryEventCenter,
  type AmqpEventCenterOptions,
} from "../../src/bus/index.js";
import { isTickwireError } from "../../src/event/index.js";
import { closeConnectionsOf, rawChannel, skipRabbit, unique } from "./rabbit.js";
import { until } from "./wait.js";

const run = promisify(execFile);

describe("AmqpEventCenter without a broker", () => {
  test("connecting to a port where no broker listens fails with TW_BUS_CONNECT", async () => {
    const c = new AmqpEventCenter({ url: "amqp://guest:guest@127.0.0.1:1" });
    await assert.rejects(c.connect(), (e: unknown) => isTickwireError(e, "TW_BUS_CONNECT"));
    assert.equal(c.stats().state, "idle");
    await c.close();
  });

  test("publishes past maxBuffered are refused with TW_BUS_BUFFER_FULL and the buffered ones are kept", async () => {
    const c = new AmqpEventCenter({ maxBuffered: 3 });
    const kept = [0, 1, 2].map((i) => c.publish(new BusEvent({ name: "n", exchange: "Orderbook", data: i })));
    for (const p of kept) p.catch(() => undefined);
    await assert.rejects(c.publish(new BusEvent({ name: "n", exchange: "Orderbook", data: 3 })), (e: unknown) => isTickwireError(e, "TW_BUS_BUFFER_FULL"));
    assert.equal(c.stats().buffered, 3);
    await c.close();
    for (const p of kept) await assert.rejects(p, (e: unknown) => isTickwireError(e, "TW_BUS_CLOSED"));
  });

  test("createEventCenter picks the broker by URL and refuses unknown schemes with TW_BUS_URL", () => {
    assert.ok(createEventCenter("memory://x") instanceof MemoryEventCenter);
    assert.ok(createEventCenter("amqp://guest:guest@127.0.0.1:5672") instanceof AmqpEventCenter);
    assert.throws(
      () => createEventCenter("redis://127.0.0.1"),
      (e: unknown) => isTickwireError(e, "TW_BUS_URL"),
    );
  });

  test("an unroutableTimeoutMs that is negative or not a number is refused with TW_BUS_BAD_OPTION", () => {
    for (const bad of [-1, NaN, "5" as unknown as number]) {
      assert.throws(
        () => new AmqpEventCenter({ unroutableTimeoutMs: bad }),
        (e: unknown) => isTickwireError(e, "TW_BUS_BAD_OPTION"),
      );
    }
  });

  test("the URL a center reports hides the password", () => {
    assert.equal(new AmqpEventCenter({ url: "amqp://u:secret@127.0.0.1:5672" }).url.includes("secret"), false);
  });
});

describe("AmqpEventCenter on RabbitMQ", { skip: skipRabbit }, () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  /** A connected center, fresh exchange and queue names, and a raw channel to look with; all removed after the suite. */
  async function connectedWithNames(options: AmqpEventCenterOptions = {}) {
    const c = new AmqpEventCenter(options);
    const ex = unique("ex");
    const q = unique("q");
    const raw = await rawChannel();
    cleanup.push(async () => {
      await c.close();
      for (const name of [q, `${q}.dead-letter`]) await raw.ch.deleteQueue(name).catch(() => undefined);
      await raw.ch.deleteExchange(ex).catch(() => undefined);
      await raw.close();
    });
    await c.connect();
    return { c, ex, q, raw };
  }

  test("connect declares the default exchanges as topic exchanges", async () => {
    const c = new AmqpEventCenter();
    cleanup.push(() => c.close());
    await c.connect();
    const { stdout } = await run("rabbitmqctl", ["list_exchanges", "name", "type", "-q", "--no-table-headers"]);
    const types = new Map(stdout.split("\n").map((l) => l.split("\t") as [string, string]));
    for (const name of DEFAULT_EXCHANGES) assert.equal(types.get(name), "topic", name);
  });

  test("a named queue is durable and shared; an anonymous one is exclusive and auto-deleted", async () => {
    const c = new AmqpEventCenter();
    cleanup.push(() => c.close());
    await c.connect();
    const ex = unique("ex");
    const q = unique("q");
    const dlq = unique("dlq");
    const raw = await rawChannel();
    cleanup.push(async () => {
      for (const name of [q, `${q}.dead-letter`, dlq]) await raw.ch.deleteQueue(name).catch(() => undefined);
      await raw.ch.deleteExchange(ex).catch(() => undefined);
      await raw.close();
    });
    await c.subscribe({ exchange: ex, queue: q }, () => undefined);
    const stopAnon = await c.subscribe({ exchange: ex, deadLetterQueue: dlq }, () => undefined);
    const { stdout } = await run("rabbitmqctl", ["list_queues", "name", "durable", "auto_delete", "exclusive", "-q", "--no-table-headers"]);
    const rows = stdout.split("\n").map((l) => l.split("\t"));
    assert.deepEqual(rows.find((r) => r[0] === q)?.slice(1), ["true", "false", "false"]);
    const bound = await raw.ch.checkQueue(q);
    assert.equal(bound.consumerCount, 1);
    // The anonymous queue: server-named, exclusive, auto-delete.
    const anon = rows.filter((r) => r[0].startsWith("amq.gen-") && r[3] === "true");
    assert.ok(anon.length >= 1);
    const before = anon.map((r) => r[0]);
    await stopAnon();
    const { stdout: after2 } = await run("rabbitmqctl", ["list_queues", "name", "-q", "--no-table-headers"]);
    const left = new Set(after2.split("\n"));
    assert.ok(
      before.some((name) => !left.has(name)),
      "the anonymous queue was deleted",
    );
  });

  test("publishes to an exchange deleted behind the center's back are sent again after it restores the exchange, in order", async () => {
    const { c, ex, q, raw } = await connectedWithNames();
    const got: number[] = [];
    await c.subscribe({ exchange: ex, queue: q, prefetchCount: 10 }, (e) => void got.push(e.data as number));
    await c.publish(new BusEvent({ name: "n", exchange: ex, data: 0 }));
    await raw.ch.deleteExchange(ex);
    // The broker closes the publishing channel on the first of these (404): all of them must survive it.
    await Promise.all([1, 2, 3, 4, 5].map((i) => c.publish(new BusEvent({ name: "n", exchange: ex, data: i }))));
    await until(() => got.length >= 6, "the six events");
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5]);
    assert.ok(c.stats().reconnects >= 1, "the center started over on a new connection");
  });

  for (const batchWrites of [true, false]) {
    test(`a burst of aioquant events (compressed in batches off the main thread) arrives whole and in order, batchWrites: ${batchWrites}`, async () => {
      const { c, ex, q } = await connectedWithNames({ batchWrites });
      const got: number[] = [];
      await c.subscribe({ exchange: ex, queue: q, prefetchCount: 256 }, (e) => void got.push((e.data as { seq: number }).seq));
      const n = 3000;
      const sent: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        sent.push(c.publish(new BusEvent({ name: "EVENT_ORDERBOOK", exchange: ex, routingKey: "SIM.rb2410", data: { seq: i, text: "螺纹钢" } })));
        if (i === 1000) sent.push(c.publish(new BusEvent({ name: "odd", exchange: ex, data: { seq: -1 } }), { codec: "msgpack" }));
      }
      await Promise.all(sent);
      await until(() => got.length === n + 1, "every event");
      const want = Array.from({ length: n }, (_, i) => i);
      want.splice(1001, 0, -1);
      assert.deepEqual(got, want);
      // A lone publish afterwards is not held back by the batching.
      const t0 = performance.now();
      await c.publish(new BusEvent({ name: "n", exchange: ex, data: { seq: n } }));
      assert.ok(performance.now() - t0 < 500, "a lone publish is confirmed promptly");
      await until(() => got.length === n + 2, "the lone event");
    });
  }

  test("a message the AMQP client cannot encode is refused with TW_BUS_PUBLISH and the next ones still go out", async () => {
    const { c, ex, q } = await connectedWithNames();
    let got = 0;
    await c.subscribe({ exchange: ex, queue: q }, () => void got++);
    await assert.rejects(c.publishRaw("Orderbook", "k".repeat(300), Buffer.from("x")), (e: unknown) => isTickwireError(e, "TW_BUS_PUBLISH"));
    await assert.rejects(c.publishRaw("Orderbook", "k", Buffer.from("x"), { headers: { when: 10n } }), (e: unknown) => isTickwireError(e, "TW_BUS_PUBLISH"));
    await c.publish(new BusEvent({ name: "n", exchange: ex, data: 1 }));
    await until(() => got === 1, "the event");
    assert.equal(c.stats().state, "connected");
    assert.equal(c.stats().reconnects, 0);
  });

  for (const prefetchCount of [1, 10]) {
    test(`a message whose header amqplib cannot write again (another client's double -1e300) is still retried and dead-lettered, prefetch ${prefetchCount}`, async () => {
      const { c, ex, q, raw } = await connectedWithNames();
      const good: number[] = [];
      let badRuns = 0;
      await c.subscribe({ exchange: ex, queue: q, prefetchCount, maxRedeliveries: 2 }, (e) => {
        if (e.data === "bad") {
          badRuns++;
          throw new Error("cannot handle it");
        }
        good.push(e.data as number);
      });
      const headers = { huge: { "!": "double", value: -1e300 }, kept: "yes" };
      raw.ch.publish(ex, "k", aioquantCodec.encode({ name: "n", data: "bad" }), { headers });
      raw.ch.publish(ex, "k", Buffer.from("not zlib either"), { headers }); // undecodable: dead-lettered at once
      for (let i = 0; i < 5; i++) await c.publish(new BusEvent({ name: "n", exchange: ex, data: i }));
      await until(() => good.length === 5, "the good events after them");
      const dlq = `${q}.dead-letter`;
      await until(() => c.stats().deadLetters === 2, "both dead letters");
      assert.equal(badRuns, 3);
      const letters = [await raw.ch.get(dlq, { noAck: true }), await raw.ch.get(dlq, { noAck: true })];
      const codes = letters.map((m) => (m ? (m.properties.headers?.[HEADER.errorCode] as string) : "none")).sort();
      assert.deepEqual(codes, ["TW_BUS_DECODE", "TW_BUS_HANDLER"]);
      for (const m of letters) {
        assert.equal(m && m.properties.headers?.huge, -1e300, "the header goes with it, written as a double");
        assert.equal(m && m.properties.headers?.kept, "yes");
      }
      // Nothing left unacknowledged or waiting: no message is held, none was acked away unseen.
      await c.close();
      assert.equal((await raw.ch.checkQueue(q)).messageCount, 0);
    });
  }

  test("an x-tw-attempt header on a message sent straight to the queue is clamped: -1000, -1e300, huge, a string, a fraction", async () => {
    const { c, q, raw } = await connectedWithNames();
    // (A NaN double cannot be sent: RabbitMQ closes the connection that tries, 541.)
    const hostile: unknown[] = [-1000, { "!": "double", value: -1e300 }, 1e300, "-1000", { "!": "double", value: 2.5 }];
    const runs = hostile.map(() => 0);
    const attempts = new Set<number>();
    await c.subscribe({ queue: q, maxRedeliveries: 2, prefetchCount: 5 }, (e, d) => {
      runs[e.data as number]++;
      attempts.add(d.attempt);
      throw new Error("always");
    });
    for (const [i, v] of hostile.entries()) {
      raw.ch.sendToQueue(q, aioquantCodec.encode({ name: "n", data: i }), { headers: { [HEADER.attempt]: v } });
    }
    await until(() => c.stats().deadLetters === hostile.length, "every message dead-lettered");
    for (const [i, n] of runs.entries()) assert.ok(n >= 1 && n <= 3, `message ${i} ran ${n} times`);
    for (const a of attempts) assert.ok(Number.isInteger(a) && a >= 1 && a <= 3, `delivery.attempt ${a}`);
    assert.equal(runs[0], 3, "a negative count is no count");
    assert.equal(runs[2], 1, "a count past the limit is the limit: dead-lettered at the first failure");
  });

  test("a subscription ended while the connection is down does not come back with the reconnect", async () => {
    // A first reconnect 2.5 to 5 s after the loss: time enough to unsubscribe while it is down.
    const { c, ex, q, raw } = await connectedWithNames({ reconnectDelayMs: 5000 });
    let handled = 0;
    const stop = await c.subscribe({ exchange: ex, queue: q }, () => void handled++);
    assert.equal(await closeConnectionsOf([c.nodeId]), 1);
    await until(() => c.stats().state === "reconnecting", "the center to notice");
    await stop();
    assert.equal(c.stats().state, "reconnecting");
    await until(() => c.stats().state === "connected", "the reconnect");
    await c.publish(new BusEvent({ name: "n", exchange: ex, data: 1 }));
    assert.equal((await raw.ch.checkQueue(q)).consumerCount, 0);
    assert.equal((await raw.ch.checkQueue(q)).messageCount, 1, "the event waits in the queue");
    assert.equal(handled, 0);
  });

  test("a subscription the broker refuses after a reconnect does not keep the center offline", async () => {
    // A first reconnect 1.5 to 3 s after the loss: time enough to take its queue away meanwhile.
    const { c, ex, q, raw } = await connectedWithNames({ reconnectDelayMs: 3000 });
    await c.subscribe({ exchange: ex, queue: q }, () => undefined);
    assert.equal(await closeConnectionsOf([c.nodeId]), 1);
    await until(() => c.stats().state === "reconnecting", "the center to notice");
    // Another connection now owns a queue of that name, exclusively: declaring or consuming it fails (405).
    await raw.ch.deleteQueue(q);
    await raw.ch.assertQueue(q, { exclusive: true });
    await raw.ch.bindQueue(q, ex, "#"); // so the publish below has a queue to go to
    await until(() => c.stats().state === "connected", "the reconnect");
    await c.publish(new BusEvent({ name: "n", exchange: ex, data: 1 }));
    assert.match(c.stats().lastError ?? "", new RegExp(`cannot restore the subscription to "${q}"`));
  });

  test("10,000 events published with confirms all arrive though the broker closes both connections mid-stream", { timeout: 120_000 }, async (t) => {
    const ex = unique("ex");
    const q = unique("q");
    const pub = new AmqpEventCenter();
    const sub = new AmqpEventCenter();
    cleanup.push(async () => {
      await pub.close();
      await sub.close();
      const raw = await rawChannel();
      await raw.ch.deleteQueue(q).catch(() => undefined);
      await raw.ch.deleteQueue(`${q}.dead-letter`).catch(() => undefined);
      await raw.ch.deleteExchange(ex).catch(() => undefined);
      await raw.close();
    });
    await pub.connect();
    await sub.connect();
    const N = 10_000;
    const seen = new Uint16Array(N);
    let received = 0;
    let redelivered = 0;
    await sub.subscribe({ exchange: ex, queue: q, routingKey: "SIM.#", prefetchCount: 100 }, async (e, d) => {
      const i = (e.data as { i: number }).i;
      if (seen[i]++ === 0) received++;
      if (d.redelivered) redelivered++;
      if (i % 64 === 0) await new Promise((r) => setImmediate(r)); // a consumer with some work to do
    });
    const sent: Promise<void>[] = [];
    const publish = (i: number) => sent.push(pub.publish(new BusEvent({ name: "EVENT_ORDERBOOK", exchange: ex, routingKey: "SIM.rb2410", data: { i } })));
    let i = 0;
    for (; i < 3000; i++) publish(i);
    // Ask the broker to drop both connections, and keep a slow stream going until it has.
    const killing = closeConnectionsOf([pub.nodeId, sub.nodeId]);
    let killed = false;
    void killing.finally(() => (killed = true));
    while (i < N && !killed && pub.stats().state === "connected") {
      publish(i++);
      await new Promise((r) => setTimeout(r, 1));
    }
    for (; i < N; i++) publish(i); // the rest, mostly while reconnecting: buffered, sent after
    assert.equal(await killing, 2, "both connections were closed by the broker");
    await Promise.all(sent);
    await until(() => received === N, `all ${N} events`, 60_000);
    const duplicates = Array.from(seen).reduce((s, n) => s + Math.max(0, n - 1), 0);
    t.diagnostic(`duplicates: ${duplicates}, redelivered: ${redelivered}, publisher reconnects: ${pub.stats().reconnects}`);
    assert.ok(pub.stats().reconnects >= 1 && sub.stats().reconnects >= 1, "both reconnected");
    assert.equal(pub.stats().state, "connected");
    assert.equal(pub.stats().unconfirmed, 0);
    assert.equal(pub.stats().buffered, 0);
  });
});
