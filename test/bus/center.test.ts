/**
 * One behaviour suite, run against the embedded broker and against RabbitMQ: code written for
 * one must behave the same on the other.
 */
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AmqpEventCenter, BusEvent, HEADER, MemoryEventCenter, aioquantCodec, type BusStats, type Delivery, type EventCenter } from "../../src/bus/index.js";
import { isTickwireError } from "../../src/event/index.js";
import { skipRabbit, unique } from "./rabbit.js";
import { until, sleep } from "./wait.js";

const run = promisify(execFile);

interface Kind {
  name: string;
  skip: string | false;
  make(options?: { closeTimeoutMs?: number }): EventCenter;
}

const memoryBroker = unique("broker");
const kinds: Kind[] = [
  { name: "MemoryEventCenter", skip: false, make: (o = {}) => new MemoryEventCenter({ url: `memory://${memoryBroker}`, ...o }) },
  { name: "AmqpEventCenter", skip: skipRabbit, make: (o = {}) => new AmqpEventCenter(o) },
];

for (const kind of kinds) {
  describe(kind.name, { skip: kind.skip }, () => {
    const centers: EventCenter[] = [];
    const queues: string[] = [];
    const exchanges: string[] = [];
    const releases: Array<() => void> = [];

    async function center(options?: { closeTimeoutMs?: number }): Promise<EventCenter> {
      const c = kind.make(options);
      centers.push(c);
      await c.connect();
      return c;
    }
    function exchange(): string {
      const e = unique("ex");
      exchanges.push(e);
      return e;
    }
    function queue(): string {
      const q = unique("q");
      queues.push(q, `${q}.dead-letter`);
      return q;
    }

    afterEach(async () => {
      for (const r of releases.splice(0)) r();
      const admin = kind.make();
      await admin.connect();
      for (const c of centers.splice(0)) await c.close();
      for (const q of queues.splice(0)) await admin.deleteQueue(q);
      for (const e of exchanges.splice(0)) await admin.deleteExchange(e);
      await admin.close();
    });

    test("routing keys with * and # reach exactly the queues whose binding matches", async () => {
      const c = await center();
      const ex = exchange();
      const got: Record<string, string[]> = { star: [], hashTail: [], all: [] };
      const dlq = queue();
      await c.subscribe({ exchange: ex, routingKey: "SIM.*", deadLetterQueue: dlq }, (e) => void got.star.push(e.routingKey));
      await c.subscribe({ exchange: ex, routingKey: "#.rb2410", deadLetterQueue: dlq }, (e) => void got.hashTail.push(e.routingKey));
      await c.subscribe({ exchange: ex, routingKey: "#", deadLetterQueue: dlq }, (e) => void got.all.push(e.routingKey));
      const keys = ["SIM.rb2410", "SIM.ag2412", "CTP.rb2410", "SIM.rb2410.depth", "SIM.end", "end.rb2410"];
      for (const k of keys) await c.publish(new BusEvent({ name: "EVENT_ORDERBOOK", exchange: ex, routingKey: k, data: { k } }));
      // Queues are FIFO: once the last key meant for a queue is there, everything before it is too.
      await until(() => got.star.includes("SIM.end") && got.hashTail.includes("end.rb2410") && got.all.includes("end.rb2410"), "the last events");
      assert.deepEqual(got.star, ["SIM.rb2410", "SIM.ag2412", "SIM.end"]);
      assert.deepEqual(got.hashTail, ["SIM.rb2410", "CTP.rb2410", "end.rb2410"]);
      assert.deepEqual(got.all, keys);
    });

    test("the empty routing key and keys with empty words match as on RabbitMQ: * is exactly one word, # zero or more", async () => {
      const c = await center();
      const ex = exchange();
      const dlq = queue();
      const want: Record<string, string[]> = {
        "": [""],
        "*": ["a"],
        "#": ["", "a", "a.", ".b", "a..b"],
        "a.*": ["a."],
        "*.b": [".b"],
        "a.#": ["a", "a.", "a..b"],
        "a.#.b": ["a..b"],
        "#.#": ["", "a", "a.", ".b", "a..b"],
      };
      const got: Record<string, string[]> = {};
      const finished = new Set<string>();
      for (const binding of Object.keys(want)) {
        got[binding] = [];
        // A second binding to a marker key: once the marker is in, everything published before it is too (FIFO).
        await c.subscribe({ exchange: ex, routingKey: [binding, "zz.end"], deadLetterQueue: dlq }, (e) => {
          if (e.routingKey === "zz.end") finished.add(binding);
          else got[binding].push(e.routingKey);
        });
      }
      for (const k of ["", "a", "a.", ".b", "a..b", "zz.end"]) await c.publish(new BusEvent({ name: "n", exchange: ex, routingKey: k, data: k }));
      await until(() => finished.size === Object.keys(want).length, "the marker on every queue");
      assert.deepEqual(got, want);
    });

    test("once unsubscribe resolved the handler is not called again, even after a handler that outlived closeTimeoutMs", async () => {
      const ex = exchange();
      const q = queue();
      const a = await center({ closeTimeoutMs: 50 });
      const onA: number[] = [];
      let release!: () => void;
      const stuck = new Promise<void>((r) => (release = r));
      releases.push(() => release());
      const stop = await a.subscribe({ exchange: ex, queue: q, prefetchCount: 5 }, async (e) => {
        onA.push(e.data as number);
        await stuck;
      });
      for (let i = 0; i < 3; i++) await a.publish(new BusEvent({ name: "n", exchange: ex, data: i }));
      await until(() => onA.length === 1, "the first handler on A");
      await stop();
      release();
      const b = await center();
      const onB: number[] = [];
      await b.subscribe({ exchange: ex, queue: q, prefetchCount: 5 }, (e) => void onB.push(e.data as number));
      await until(() => onB.length === 3, "all three on B");
      assert.deepEqual(onA, [0]);
      assert.deepEqual(onB.sort(), [0, 1, 2]);
    });

    test("a subscription holds at most prefetchCount unacknowledged messages", async () => {
      const c = await center();
      const ex = exchange();
      const q = queue();
      let inFlight = 0;
      let maxInFlight = 0;
      let done = 0;
      let open = false;
      const waiting: Array<() => void> = [];
      releases.push(() => waiting.splice(0).forEach((w) => w()));
      await c.subscribe(
        { exchange: ex, queue: q, prefetchCount: 3 },
        async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          if (!open) await new Promise<void>((r) => waiting.push(r));
          inFlight--;
          done++;
        },
        { multi: true },
      );
      for (let i = 0; i < 10; i++) await c.publish(new BusEvent({ name: "n", exchange: ex, data: i }));
      await until(() => inFlight === 3, "three handlers running");
      await sleep(200); // room for a fourth delivery, if the broker were to send one
      assert.equal(inFlight, 3);
      open = true;
      waiting.splice(0).forEach((w) => w());
      await until(() => done === 10, "all ten handled");
      assert.equal(maxInFlight, 3);
    });

    test("a message is acknowledged only after its handler finished: unfinished, it goes to the next consumer", async () => {
      const ex = exchange();
      const q = queue();
      const a = await center({ closeTimeoutMs: 100 });
      let startedOnA = 0;
      releases.push(() => undefined);
      await a.subscribe({ exchange: ex, queue: q }, () => {
        startedOnA++;
        return new Promise(() => undefined); // never finishes
      });
      await a.publish(new BusEvent({ name: "order", exchange: ex, routingKey: "SIM.1", data: { id: 1 } }));
      await until(() => startedOnA === 1, "the handler on A started");
      const b = await center();
      const onB: Array<{ data: unknown; delivery: Delivery }> = [];
      await b.subscribe({ exchange: ex, queue: q }, (e, d) => void onB.push({ data: e.data, delivery: d }));
      await sleep(100);
      assert.equal(onB.length, 0, "B must not get a message A holds");
      await a.close();
      await until(() => onB.length === 1, "the message on B");
      assert.deepEqual(onB[0].data, { id: 1 });
      assert.equal(onB[0].delivery.redelivered, true);
    });

    test("a handler that keeps throwing gets the message maxRedeliveries more times, then it is dead-lettered with the error", async () => {
      const c = await center();
      const ex = exchange();
      const q = queue();
      const attempts: number[] = [];
      await c.subscribe({ exchange: ex, queue: q, maxRedeliveries: 2 }, (_e, d) => {
        attempts.push(d.attempt);
        throw new Error(`boom ${d.attempt}`);
      });
      const dead: Array<{ event: BusEvent; delivery: Delivery }> = [];
      await c.subscribe({ queue: `${q}.dead-letter`, raw: true, noAck: true }, (event, delivery) => void dead.push({ event, delivery }));
      await c.publish(new BusEvent({ name: "EVENT_ORDER", exchange: ex, routingKey: "SIM.rb2410", data: { price: 1 } }));
      await until(() => dead.length === 1, "the dead letter");
      assert.deepEqual(attempts, [1, 2, 3]);
      const { event, delivery } = dead[0];
      assert.equal(delivery.headers[HEADER.error], "boom 3");
      assert.equal(delivery.headers[HEADER.errorCode], "TW_BUS_HANDLER");
      assert.equal(delivery.headers[HEADER.queue], q);
      assert.equal(event.exchange, ex);
      assert.equal(event.routingKey, "SIM.rb2410");
      assert.deepEqual(BusEvent.decode(event.data as Buffer, { exchange: ex, routingKey: "", contentType: delivery.contentType }).data, {
        price: 1,
      });
      const h: BusStats = c.stats();
      assert.equal(h.redeliveries, 2);
      assert.equal(h.deadLetters, 1);
      assert.equal(h.handlerErrors, 3);
    });

    test("health(), the deprecated name of stats(), reports the same counters", async () => {
      const c = await center();
      const ex = exchange();
      const q = queue();
      let got = 0;
      await c.subscribe({ exchange: ex, queue: q }, () => void got++);
      await c.publish(new BusEvent({ name: "n", exchange: ex, routingKey: "k", data: 1 }));
      await until(() => c.stats().acked === 1, "the one event acked");
      assert.equal(got, 1);
      assert.deepEqual(c.health?.(), c.stats());
    });

    test("an x-tw-attempt header set by the publisher (-1000, NaN, huge, a string) never buys more than maxRedeliveries + 1 handler runs", async () => {
      const c = await center();
      const ex = exchange();
      const q = queue();
      // RabbitMQ itself refuses a NaN double in a header (it closes the connection: 541), so only the memory broker gets one.
      const hostile: unknown[] = kind.name === "AmqpEventCenter" ? [-1000, 1e300, "-1000"] : [-1000, NaN, 1e300, "-1000"];
      const runs = hostile.map(() => 0);
      const attempts = new Set<number>();
      await c.subscribe({ exchange: ex, queue: q, maxRedeliveries: 2, prefetchCount: 4 }, (e, d) => {
        runs[e.data as number]++;
        attempts.add(d.attempt);
        throw new Error("always");
      });
      let dead = 0;
      await c.subscribe({ queue: `${q}.dead-letter`, raw: true, noAck: true }, () => void dead++);
      for (const [i, v] of hostile.entries()) {
        await c.publishRaw(ex, "k", aioquantCodec.encode({ name: "n", data: i }), { headers: { [HEADER.attempt]: v } });
      }
      await until(() => dead === hostile.length, "every message dead-lettered");
      for (const [i, n] of runs.entries()) assert.ok(n >= 1 && n <= 3, `message ${i} ran ${n} times`);
      for (const a of attempts) assert.ok(Number.isInteger(a) && a >= 1 && a <= 3, `delivery.attempt ${a}`);
      assert.equal(runs[0], 3, "a negative count is no count: a first delivery and two retries");
    });

    test("a message that cannot be decoded goes straight to the dead-letter queue and consumption goes on", async () => {
      const c = await center();
      const ex = exchange();
      const q = queue();
      const handled: unknown[] = [];
      await c.subscribe({ exchange: ex, queue: q }, (e) => void handled.push(e.data));
      const dead: Delivery[] = [];
      await c.subscribe({ queue: `${q}.dead-letter`, raw: true, noAck: true }, (_e, d) => void dead.push(d));
      await c.publishRaw(ex, "k", Buffer.from("definitely not zlib"));
      await c.publish(new BusEvent({ name: "ok", exchange: ex, routingKey: "k", data: "after" }));
      await until(() => handled.length === 1 && dead.length === 1, "the good event and the dead letter");
      assert.deepEqual(handled, ["after"]);
      assert.equal(dead[0].headers[HEADER.errorCode], "TW_BUS_DECODE");
      assert.equal(c.stats().handlerErrors, 0);
    });

    test("handlers that throw never stop consumption", async () => {
      const c = await center();
      const ex = exchange();
      const q = queue();
      const handled: number[] = [];
      let dead = 0;
      await c.subscribe({ exchange: ex, queue: q, maxRedeliveries: 0, prefetchCount: 5 }, (e) => {
        const i = e.data as number;
        if (i % 2 === 1) throw new Error("odd");
        handled.push(i);
      });
      await c.subscribe({ queue: `${q}.dead-letter`, raw: true, noAck: true }, () => void dead++);
      for (let i = 0; i < 20; i++) await c.publish(new BusEvent({ name: "n", exchange: ex, data: i }));
      await until(() => handled.length === 10 && dead === 10, "ten handled and ten dead letters");
      assert.deepEqual(handled, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    });

    test("a named queue keeps the events published while its consumer was down", async () => {
      const ex = exchange();
      const q = queue();
      const first = await center();
      const stop = await first.subscribe({ exchange: ex, queue: q, routingKey: "SIM.#" }, () => undefined);
      await stop();
      await first.close();
      const pub = await center();
      for (let i = 0; i < 50; i++) await pub.publish(new BusEvent({ name: "tick", exchange: ex, routingKey: "SIM.rb2410", data: i }));
      const later = await center();
      const got: number[] = [];
      await later.subscribe({ exchange: ex, queue: q, routingKey: "SIM.#", prefetchCount: 10 }, (e) => void got.push(e.data as number));
      await until(() => got.length === 50, "the 50 events");
      assert.deepEqual(
        got,
        Array.from({ length: 50 }, (_, i) => i),
      );
    });

    test("a subscription whose queue someone else deletes declares it again and goes on consuming", async () => {
      const c = await center();
      const ex = exchange();
      const q = queue();
      const got: number[] = [];
      await c.subscribe({ exchange: ex, queue: q }, (e) => void got.push(e.data as number));
      const admin = await center();
      await admin.deleteQueue(q);
      // Published until one arrives: events published before the queue is back have nowhere to go.
      for (let i = 0; got.length === 0; i++) {
        if (i > 2000) assert.fail("the subscription never came back");
        await c.publish(new BusEvent({ name: "n", exchange: ex, data: i }));
        await sleep(10);
      }
      assert.equal(c.stats().subscriptions, 1);
    });

    test("competing consumers on one named queue share its messages, each handled once", async () => {
      const ex = exchange();
      const q = queue();
      const a = await center();
      const b = await center();
      const onA: number[] = [];
      const onB: number[] = [];
      await a.subscribe({ exchange: ex, queue: q }, (e) => void onA.push(e.data as number));
      await b.subscribe({ exchange: ex, queue: q }, (e) => void onB.push(e.data as number));
      for (let i = 0; i < 100; i++) await a.publish(new BusEvent({ name: "n", exchange: ex, data: i }));
      await until(() => onA.length + onB.length === 100, "all 100");
      assert.equal(new Set([...onA, ...onB]).size, 100);
      assert.ok(onA.length > 0 && onB.length > 0, `both consumers got messages (${onA.length}/${onB.length})`);
    });

    test("a payload made by Python's zlib and json modules travels through the center and decodes to the same event", async () => {
      const c = await center();
      const ex = exchange();
      const got: BusEvent[] = [];
      await c.subscribe({ exchange: ex, routingKey: "binance.*", deadLetterQueue: queue() }, (e) => void got.push(e));
      const script =
        'import zlib, json, sys; sys.stdout.buffer.write(zlib.compress(json.dumps({"n": "EVENT_TRADE", "d": {"p": "binance", "s": "ETH/BTC", "a": "BUY", "P": "0.05", "q": 1.5, "t": 1717232400000}}).encode("utf8")))';
      const { stdout } = await run("python3", ["-c", script], { encoding: "buffer" });
      await c.publishRaw(ex, "binance.ETH/BTC", stdout);
      await until(() => got.length === 1, "the event");
      assert.equal(got[0].name, "EVENT_TRADE");
      assert.equal(got[0].routingKey, "binance.ETH/BTC");
      assert.deepEqual(got[0].data, { p: "binance", s: "ETH/BTC", a: "BUY", P: "0.05", q: 1.5, t: 1717232400000 });
    });

    test("events in both codecs interleave on one queue and each decodes by its content type", async () => {
      const c = await center();
      const ex = exchange();
      const got: unknown[] = [];
      await c.subscribe({ exchange: ex, queue: queue(), prefetchCount: 4 }, (e) => void got.push(e.data));
      for (let i = 0; i < 6; i++) {
        await c.publish(new BusEvent({ name: "n", exchange: ex, data: { i } }), { codec: i % 2 ? "msgpack" : "aioquant" });
      }
      await until(() => got.length === 6, "six events");
      assert.deepEqual(
        got,
        [0, 1, 2, 3, 4, 5].map((i) => ({ i })),
      );
    });

    test("publishes made before connect are sent once connected", async () => {
      const ex = exchange();
      const sub = await center();
      const got: unknown[] = [];
      await sub.subscribe({ exchange: ex, queue: queue() }, (e) => void got.push(e.data));
      const early = kind.make();
      centers.push(early);
      const sent = early.publish(new BusEvent({ name: "n", exchange: ex, data: "early" }));
      assert.equal(early.stats().buffered, 1);
      await early.connect();
      await sent;
      await until(() => got.length === 1, "the early event");
      assert.deepEqual(got, ["early"]);
    });

    test("a bad subscription is refused with TW_BUS_SPEC and changes nothing", async () => {
      const c = await center();
      const before = c.stats().subscriptions;
      const bad = [{}, { exchange: "" }, { exchange: "E", prefetchCount: 0 }, { queue: "amq.x" }, { exchange: "E", maxRedeliveries: -1 }];
      for (const spec of bad) {
        await assert.rejects(
          c.subscribe(spec, () => undefined),
          (e: unknown) => isTickwireError(e, "TW_BUS_SPEC"),
        );
      }
      assert.equal(c.stats().subscriptions, before);
    });

    test("a closed center refuses to publish with TW_BUS_CLOSED", async () => {
      const c = await center();
      await c.close();
      await assert.rejects(c.publish(new BusEvent({ name: "n", exchange: "Orderbook", data: 1 })), (e: unknown) => isTickwireError(e, "TW_BUS_CLOSED"));
    });

    test("the wire body of a published event is aioquant's zlib+JSON by default", async () => {
      const c = await center();
      const ex = exchange();
      const bodies: Buffer[] = [];
      await c.subscribe({ exchange: ex, queue: queue(), raw: true }, (e) => void bodies.push(e.data as Buffer));
      await c.publish(new BusEvent({ name: "EVENT_KLINE", exchange: ex, data: { c: 1.5 } }));
      await until(() => bodies.length === 1, "the body");
      assert.deepEqual(aioquantCodec.decode(bodies[0]), { name: "EVENT_KLINE", data: { c: 1.5 } });
    });
  });
}
