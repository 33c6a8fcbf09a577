/**
 * Events/s through RabbitMQ with tickwire's AmqpEventCenter next to raw amqplib doing the same
 * work in the same run (publisher confirms + manual acks, and without), for both codecs; and
 * events/s and latency through the embedded memory broker.
 */
import zlib from "node:zlib";
import { randomBytes } from "node:crypto";
import amqplib from "amqplib";
import { Packr } from "msgpackr";
import { best, percentile, type BenchRow, type BenchSuite } from "../harness.js";
import { AmqpEventCenter, BusEvent, MemoryEventCenter, type CodecId, type EventCenter } from "../../src/bus/index.js";

const URL = process.env.TICKWIRE_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const PREFETCH = 256;
const SUITE = "bus";

function tick(i: number) {
  return {
    gatewayName: "SIM",
    symbol: "rb2410",
    exchange: "SHFE",
    datetime: 1717232400000 + i,
    lastPrice: 3456.5 + (i % 10),
    volume: 12345 + i,
    openInterest: 100000,
    bidPrice1: 3456,
    askPrice1: 3457,
    bidVolume1: 10,
    askVolume1: 12,
    seq: i,
  };
}

const name = () => `tw-bench-${randomBytes(4).toString("hex")}`;

/** Raw amqplib: one connection publishes, another consumes, same prefetch and ack policy as ours. */
async function rawAmqplib(n: number, opts: { confirms: boolean; codec: CodecId | "pre-encoded" }): Promise<number> {
  const packr = new Packr({ useRecords: false });
  const pubConn = await amqplib.connect(URL);
  const subConn = await amqplib.connect(URL);
  try {
    const ex = name();
    const pub = opts.confirms ? await pubConn.createConfirmChannel() : await pubConn.createChannel();
    const sub = await subConn.createChannel();
    await sub.assertExchange(ex, "topic", { durable: false, autoDelete: true });
    const q = await sub.assertQueue("", { exclusive: true, autoDelete: true });
    await sub.bindQueue(q.queue, ex, "#");
    await sub.prefetch(PREFETCH);
    const pre = packr.pack({ n: "EVENT_ORDERBOOK", d: tick(0) });
    let got = 0;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    await sub.consume(
      q.queue,
      (msg) => {
        if (!msg) return;
        if (opts.codec === "aioquant") JSON.parse(zlib.inflateSync(msg.content).toString("utf8"));
        else packr.unpack(msg.content);
        if (opts.confirms) sub.ack(msg);
        if (++got === n) finish();
      },
      { noAck: !opts.confirms },
    );
    const t0 = performance.now();
    let confirmed = 0;
    let allConfirmed!: () => void;
    const confirmedAll = new Promise<void>((r) => (allConfirmed = r));
    for (let i = 0; i < n; i++) {
      const body =
        opts.codec === "aioquant"
          ? zlib.deflateSync(Buffer.from(JSON.stringify({ n: "EVENT_ORDERBOOK", d: tick(i) }), "utf8"))
          : opts.codec === "msgpack"
            ? packr.pack({ n: "EVENT_ORDERBOOK", d: tick(i) })
            : pre;
      const props = { contentType: opts.codec === "aioquant" ? "application/json" : "application/msgpack" };
      const ok = opts.confirms
        ? (pub as amqplib.ConfirmChannel).publish(ex, "SIM.rb2410", body, props, () => {
            if (++confirmed === n) allConfirmed();
          })
        : pub.publish(ex, "SIM.rb2410", body, props);
      if (!ok) await new Promise((r) => pub.once("drain", r));
    }
    await Promise.all([done, opts.confirms ? confirmedAll : Promise.resolve()]);
    const rate = n / ((performance.now() - t0) / 1000);
    await sub.deleteQueue(q.queue).catch(() => undefined);
    await sub.deleteExchange(ex).catch(() => undefined);
    return rate;
  } finally {
    await pubConn.close().catch(() => undefined);
    await subConn.close().catch(() => undefined);
  }
}

/** The same through two AmqpEventCenters (a publisher and a subscriber). */
async function tickwireAmqp(n: number, opts: { confirms: boolean; codec: CodecId }): Promise<number> {
  const pub = new AmqpEventCenter({ codec: opts.codec, confirms: opts.confirms, maxBuffered: n + 1 });
  const sub = new AmqpEventCenter();
  await pub.connect();
  await sub.connect();
  try {
    const ex = name();
    await pub.declareExchange(ex);
    let got = 0;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    await sub.subscribe({ exchange: ex, routingKey: "#", prefetchCount: PREFETCH, noAck: !opts.confirms, deadLetterQueue: `${ex}.dead-letter` }, () => {
      if (++got === n) finish();
    });
    const t0 = performance.now();
    const sent: Promise<void>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      sent[i] = pub.publish(new BusEvent({ name: "EVENT_ORDERBOOK", exchange: ex, routingKey: "SIM.rb2410", data: tick(i) }));
      if (i % 512 === 511) await new Promise((r) => setImmediate(r)); // let socket I/O run, as a live feed would
    }
    await Promise.all([done, Promise.all(sent)]);
    const rate = n / ((performance.now() - t0) / 1000);
    await sub.deleteQueue(`${ex}.dead-letter`).catch(() => undefined);
    await pub.deleteExchange(ex).catch(() => undefined);
    return rate;
  } finally {
    await pub.close();
    await sub.close();
  }
}

async function memoryThroughput(n: number): Promise<number> {
  const c = new MemoryEventCenter({ url: `memory://${name()}` });
  await c.connect();
  let got = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  await c.subscribe({ exchange: "Orderbook", routingKey: "SIM.*", prefetchCount: PREFETCH }, () => {
    if (++got === n) finish();
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) void c.publish(new BusEvent({ name: "EVENT_ORDERBOOK", exchange: "Orderbook", routingKey: "SIM.rb2410", data: tick(i) }));
  await done;
  const rate = n / ((performance.now() - t0) / 1000);
  await c.close();
  return rate;
}

/** One event at a time, publish → handler, µs. */
async function latency(center: EventCenter, samples: number): Promise<number[]> {
  await center.connect();
  const ex = name();
  let resolve!: () => void;
  await center.subscribe({ exchange: ex, routingKey: "#", prefetchCount: 1, deadLetterQueue: `${ex}.dead-letter` }, () => resolve());
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const arrived = new Promise<void>((r) => (resolve = r));
    const t0 = performance.now();
    await center.publish(new BusEvent({ name: "EVENT_ORDERBOOK", exchange: ex, routingKey: "SIM.rb2410", data: tick(i) }));
    await arrived;
    out.push((performance.now() - t0) * 1000);
  }
  await center.deleteQueue(`${ex}.dead-letter`).catch(() => undefined);
  await center.deleteExchange(ex).catch(() => undefined);
  await center.close();
  return out;
}

async function rabbitUp(): Promise<boolean> {
  try {
    const c = await amqplib.connect(URL, { timeout: 2000 });
    await c.close();
    return true;
  } catch {
    return false;
  }
}

/** Best of `runs`, alternating ours and the peer so drift on a shared machine hits both alike. */
async function pair(runs: number, ours: () => Promise<number>, peer: () => Promise<number>): Promise<[number, number]> {
  let a = 0;
  let b = 0;
  for (let i = 0; i < runs; i++) {
    b = Math.max(b, await peer());
    a = Math.max(a, await ours());
  }
  return [a, b];
}

const suite: BenchSuite = async ({ quick }) => {
  const rows: BenchRow[] = [];
  const n = quick ? 3000 : 10_000;
  const runs = quick ? 1 : 2;
  let amqpMsgpack = NaN;
  if (await rabbitUp()) {
    const cases: Array<{ label: string; confirms: boolean; codec: CodecId; peer: string; peerCodec: CodecId | "pre-encoded"; target?: number }> = [
      { label: "RabbitMQ confirms+acks, msgpack", confirms: true, codec: "msgpack", peer: "raw amqplib, pre-encoded", peerCodec: "pre-encoded", target: 0.85 },
      {
        label: "RabbitMQ confirms+acks, aioquant zlib+JSON",
        confirms: true,
        codec: "aioquant",
        peer: "raw amqplib, sync zlib+JSON",
        peerCodec: "aioquant",
        target: 1.5,
      },
      { label: "RabbitMQ no confirms/acks, msgpack", confirms: false, codec: "msgpack", peer: "raw amqplib, pre-encoded", peerCodec: "pre-encoded" },
      {
        label: "RabbitMQ no confirms/acks, aioquant zlib+JSON",
        confirms: false,
        codec: "aioquant",
        peer: "raw amqplib, sync zlib+JSON",
        peerCodec: "aioquant",
      },
    ];
    for (const c of cases) {
      const [ours, peer] = await pair(
        runs,
        () => tickwireAmqp(n, { confirms: c.confirms, codec: c.codec }),
        () => rawAmqplib(n, { confirms: c.confirms, codec: c.peerCodec }),
      );
      if (c.codec === "msgpack" && c.confirms) amqpMsgpack = ours;
      const ratio = ours / peer;
      rows.push({
        suite: SUITE,
        name: `${c.label} (events/s)`,
        value: ours,
        unit: "ops/s",
        peer: c.peer,
        peerValue: peer,
        ratio,
        ...(c.target === undefined ? {} : { target: `>= ${c.target}x ${c.peer}`, met: ratio >= c.target }),
      });
    }
  } else {
    process.stderr.write("bus: RabbitMQ not reachable at 127.0.0.1:5672 (start it: rabbitmq-server -detached); AMQP rows skipped\n");
  }
  const memRate = await best(2, () => memoryThroughput(quick ? 20_000 : 100_000));
  rows.push({
    suite: SUITE,
    name: "memory broker, topic routing + acks (events/s)",
    value: memRate,
    unit: "ops/s",
    ...(Number.isNaN(amqpMsgpack) ? {} : { peer: "AmqpEventCenter msgpack, confirms+acks", peerValue: amqpMsgpack, ratio: memRate / amqpMsgpack }),
  });
  const samples = quick ? 300 : 2000;
  const mem = await latency(new MemoryEventCenter({ url: `memory://${name()}` }), samples);
  const memP50 = percentile(mem, 50);
  let amqpP50 = NaN;
  if (!Number.isNaN(amqpMsgpack)) amqpP50 = percentile(await latency(new AmqpEventCenter({ codec: "msgpack" }), quick ? 100 : 500), 50);
  rows.push({
    suite: SUITE,
    name: "memory broker latency p50, publish -> handler",
    value: memP50,
    unit: "µs",
    ...(Number.isNaN(amqpP50) ? {} : { peer: "AmqpEventCenter p50 (confirmed)", peerValue: amqpP50, ratio: amqpP50 / memP50 }),
  });
  rows.push({ suite: SUITE, name: "memory broker latency p99, publish -> handler", value: percentile(mem, 99), unit: "µs" });
  return rows;
};

export default suite;
