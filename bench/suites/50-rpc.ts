/**
 * tickwire rpc against a raw zeromq floor measured in the same run: the same sockets
 * (DEALER/ROUTER, PUB/SUB) and msgpackr with no tickwire layer. Calls: server and client share
 * this process, so those numbers include both ends' work. Publications: the subscribers run in a
 * child process (this same file, started with TICKWIRE_BENCH_RPC_SUBSCRIBERS=1), for both.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Dealer, Publisher, Router, Subscriber } from "zeromq";
import { Packr, Unpackr } from "msgpackr";
import { RpcClient, RpcServer } from "../../src/rpc/index.js";
import { best, now, percentile, type BenchRow, type BenchSuite } from "../harness.js";

const SUITE = "rpc";
const VNPY_SEQUENTIAL = 15_000; // calls/s, vnpy RpcClient on loopback (issue 5)
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const tick = (i: number): Record<string, unknown> => ({
  gatewayName: "SIM",
  symbol: "rb2410",
  exchange: "SHFE",
  vtSymbol: "rb2410.SHFE",
  datetime: 1_700_000_000_000 + i,
  name: "rebar 2410",
  volume: 1000 + i,
  turnover: 3.5e7,
  openInterest: 120_000,
  lastPrice: 3500 + (i % 10),
  lastVolume: 3,
  limitUp: 3800,
  limitDown: 3200,
  openPrice: 3490,
  highPrice: 3520,
  lowPrice: 3480,
  preClose: 3495,
  bidPrice1: 3499,
  bidPrice2: 3498,
  bidPrice3: 3497,
  bidPrice4: 3496,
  bidPrice5: 3495,
  askPrice1: 3500,
  askPrice2: 3501,
  askPrice3: 3502,
  askPrice4: 3503,
  askPrice5: 3504,
  bidVolume1: 10,
  bidVolume2: 20,
  bidVolume3: 30,
  bidVolume4: 40,
  bidVolume5: 50,
  askVolume1: 11,
  askVolume2: 21,
  askVolume3: 31,
  askVolume4: 41,
  askVolume5: 51,
});
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------- calls

interface CallResult {
  rate: number;
  p50: number;
  p99: number;
}

async function tickwireCalls(n: number, inFlight: number): Promise<CallResult> {
  const server = new RpcServer();
  server.register("add", (a: number, b: number) => a + b);
  await server.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
  const client = new RpcClient();
  client.start(server.repEndpoint, server.pubEndpoint);
  await client.waitForConnection(10_000);
  for (let i = 0; i < 200; i++) await client.call("add", [i, 1]); // warm up
  const lat: number[] = [];
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        next++;
        const s = now();
        await client.call("add", [next, 1]);
        lat.push(s === 0 ? 0 : now() - s);
      }
    }),
  );
  const rate = n / ((now() - t0) / 1000);
  await client.stop();
  await server.stop();
  return { rate, p50: percentile(lat, 50) * 1000, p99: percentile(lat, 99) * 1000 };
}

async function rawCalls(n: number, inFlight: number): Promise<CallResult> {
  const router = new Router({ linger: 0 });
  await router.bind("tcp://127.0.0.1:*");
  const dealer = new Dealer({ linger: 0 });
  dealer.connect(router.lastEndpoint!);
  const serve = (async () => {
    for await (const [id, msg] of router) {
      const [callId, , args] = unpackr.unpack(msg) as [number, string, number[]];
      await router.send([id, packr.pack([callId, args[0] + args[1]])]);
    }
  })();
  const waiting = new Map<number, () => void>();
  const replies = (async () => {
    for await (const [msg] of dealer) {
      const [callId] = unpackr.unpack(msg) as [number, number];
      waiting.get(callId)?.();
      waiting.delete(callId);
    }
  })();
  let id = 0;
  const call = (a: number): Promise<void> =>
    new Promise((resolve) => {
      const callId = ++id;
      waiting.set(callId, resolve);
      void dealer.send(packr.pack([callId, "add", [a, 1]]));
    });
  for (let i = 0; i < 200; i++) await call(i);
  const lat: number[] = [];
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        next++;
        const s = now();
        await call(next);
        lat.push(now() - s);
      }
    }),
  );
  const rate = n / ((now() - t0) / 1000);
  dealer.close();
  router.close();
  await Promise.allSettled([serve, replies]);
  return { rate, p50: percentile(lat, 50) * 1000, p99: percentile(lat, 99) * 1000 };
}

// ---------------------------------------------------------------------------------- publish
//
// Subscribers run in a child process (as in a real deployment: the server and each strategy are
// separate processes), for tickwire and for the raw floor alike. The parent publishes; the child
// holds the clients, counts what arrives and says when every client has all of it.

const CHILD_ENV = "TICKWIRE_BENCH_RPC_SUBSCRIBERS";
const LOSSLESS_WAIT_MS = 20_000;

interface SubscribeOrder {
  kind: "tickwire" | "raw";
  repEndpoint: string;
  pubEndpoint: string;
  clients: number;
  /** Ticks each client must receive. */
  n: number;
}
type ToChild = { type: "subscribe"; order: SubscribeOrder } | { type: "unsubscribe" };
type FromChild = { type: "ready" } | { type: "done" } | { type: "closed" };

/** The child's side: subscribers on demand, one set at a time. */
async function subscriberProcess(): Promise<void> {
  let close: (() => Promise<void>) | undefined;
  const send = (m: FromChild): void => void process.send?.(m);
  process.on("disconnect", () => process.exit(0));
  process.on("message", (m: ToChild) => {
    void (async () => {
      if (m.type === "unsubscribe") {
        await close?.();
        close = undefined;
        send({ type: "closed" });
        return;
      }
      const { kind, repEndpoint, pubEndpoint, clients, n } = m.order;
      const counts = new Array<number>(clients).fill(0);
      let reported = false;
      const got = (c: number): void => {
        if (++counts[c] === n && !reported && counts.every((x) => x === n)) {
          reported = true;
          send({ type: "done" });
        }
      };
      if (kind === "tickwire") {
        const subs: RpcClient[] = [];
        for (let c = 0; c < clients; c++) {
          const client = new RpcClient({ receiveHighWaterMark: 0 });
          client.subscribeTopic("eTick.");
          client.on("message", () => got(c));
          client.start(repEndpoint, pubEndpoint);
          subs.push(client);
        }
        await Promise.all(subs.map((s) => s.waitForConnection(10_000)));
        close = async () => {
          for (const s of subs) await s.stop();
        };
      } else {
        const subs: Subscriber[] = [];
        const seen = new Array<boolean>(clients).fill(false);
        let announced = false;
        const loops = Array.from({ length: clients }, async (_, c) => {
          const sub = new Subscriber({ linger: 0, receiveHighWaterMark: 0 });
          sub.connect(pubEndpoint);
          sub.subscribe("eTick.");
          subs.push(sub);
          try {
            for await (const [, msg] of sub) {
              if (msg.length === 1) {
                // The parent's probe: this subscriber hears the publisher (ZeroMQ's slow joiner).
                seen[c] = true;
                if (!announced && seen.every(Boolean)) {
                  announced = true;
                  send({ type: "ready" });
                }
                continue;
              }
              unpackr.unpack(msg);
              got(c);
            }
          } catch {
            // Closed.
          }
        });
        close = async () => {
          for (const s of subs) s.close();
          await Promise.allSettled(loops);
        };
        return; // "ready" follows the probes
      }
      send({ type: "ready" });
    })();
  });
}

/** The parent's handle on the subscriber process. */
class SubscriberProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<FromChild["type"], () => void>();

  constructor() {
    this.child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [CHILD_ENV]: "1" }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (m: FromChild) => {
      const resolve = this.waiting.get(m.type);
      this.waiting.delete(m.type);
      resolve?.();
    });
  }

  /** Resolves on the child's next message of this type, or with false after `ms`. */
  next(type: FromChild["type"], ms = LOSSLESS_WAIT_MS): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(type);
        resolve(false);
      }, ms);
      this.waiting.set(type, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  send(m: ToChild): void {
    this.child.send(m);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.disconnect();
    });
  }
}

/** Publishes `n` ticks in chunks (yielding to I/O between chunks) and returns lossless ticks/s, or 0 if any were lost. */
async function tickwirePublish(subscribers: SubscriberProcess, n: number, clients: number): Promise<number> {
  const server = new RpcServer({ publishHighWaterMark: 0 });
  await server.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
  const ready = subscribers.next("ready");
  subscribers.send({ type: "subscribe", order: { kind: "tickwire", repEndpoint: server.repEndpoint, pubEndpoint: server.pubEndpoint, clients, n } });
  if (!(await ready)) throw new Error("the subscriber process did not connect");
  const done = subscribers.next("done");
  const ticks = Array.from({ length: 1000 }, (_, i) => tick(i));
  const t0 = now();
  for (let i = 0; i < n;) {
    const end = Math.min(n, i + 1000);
    for (; i < end; i++) server.publish("eTick.rb2410.SHFE", ticks[i % 1000]);
    await yieldToIo();
  }
  const ok = await done;
  const rate = n / ((now() - t0) / 1000);
  const closed = subscribers.next("closed");
  subscribers.send({ type: "unsubscribe" });
  await closed;
  await server.stop();
  return ok ? rate : 0;
}

async function rawPublish(subscribers: SubscriberProcess, n: number, clients: number): Promise<number> {
  const pub = new Publisher({ linger: 0, sendHighWaterMark: 0 });
  await pub.bind("tcp://127.0.0.1:*");
  let ready = false;
  const readyNow = subscribers.next("ready").then((r) => (ready = r));
  subscribers.send({ type: "subscribe", order: { kind: "raw", repEndpoint: "", pubEndpoint: pub.lastEndpoint!, clients, n } });
  // Slow joiner: probe until every subscriber hears the publisher.
  const deadline = now() + 10_000;
  while (!ready && now() < deadline) {
    await pub.send(["eTick.probe", Buffer.from([0])]);
    await new Promise((r) => setTimeout(r, 10));
  }
  await readyNow;
  if (!ready) throw new Error("the raw subscribers never heard the publisher");
  const done = subscribers.next("done");
  const ticks = Array.from({ length: 1000 }, (_, i) => tick(i));
  const t0 = now();
  for (let i = 0; i < n;) {
    const end = Math.min(n, i + 1000);
    for (; i < end; i++) await pub.send(["eTick.rb2410.SHFE", packr.pack(ticks[i % 1000])]);
    await yieldToIo();
  }
  const ok = await done;
  const rate = n / ((now() - t0) / 1000);
  const closed = subscribers.next("closed");
  subscribers.send({ type: "unsubscribe" });
  await closed;
  pub.close();
  return ok ? rate : 0;
}

const suite: BenchSuite = async ({ quick }) => {
  // Sized so the whole suite stays well under a minute on a quiet machine.
  const runs = quick ? 1 : 2;
  const seqN = quick ? 2_000 : 8_000;
  const parN = quick ? 10_000 : 40_000;
  const pubN = quick ? 30_000 : 120_000;
  const rows: BenchRow[] = [];

  let ours: CallResult = { rate: 0, p50: Infinity, p99: Infinity };
  let raw: CallResult = { rate: 0, p50: Infinity, p99: Infinity };
  for (let r = 0; r < runs; r++) {
    const o = await tickwireCalls(seqN, 1);
    const w = await rawCalls(seqN, 1);
    if (o.rate > ours.rate) ours = o;
    if (w.rate > raw.rate) raw = w;
  }
  rows.push({
    suite: SUITE,
    name: "sequential calls",
    value: ours.rate,
    unit: "ops/s",
    peer: "raw zeromq DEALER/ROUTER + msgpackr",
    peerValue: raw.rate,
    ratio: ours.rate / raw.rate,
  });
  rows.push({
    suite: SUITE,
    name: "sequential call p50 latency",
    value: ours.p50,
    unit: "µs",
    peer: "raw zeromq",
    peerValue: raw.p50,
    ratio: raw.p50 / ours.p50,
    target: "p50 <= 1.3x raw floor",
    met: ours.p50 <= 1.3 * raw.p50,
  });
  rows.push({
    suite: SUITE,
    name: "sequential call p99 latency",
    value: ours.p99,
    unit: "µs",
    peer: "raw zeromq",
    peerValue: raw.p99,
    ratio: raw.p99 / ours.p99,
  });

  const par = await best(runs, async () => (await tickwireCalls(parN, 64)).rate);
  const parRaw = await best(runs, async () => (await rawCalls(parN, 64)).rate);
  rows.push({
    suite: SUITE,
    name: "calls, 64 in flight",
    value: par,
    unit: "ops/s",
    peer: "raw zeromq DEALER/ROUTER, 64 in flight",
    peerValue: parRaw,
    ratio: par / parRaw,
    target: `>= 3x vnpy sequential (${3 * VNPY_SEQUENTIAL}/s) and >= 0.8x raw`,
    met: par >= 3 * VNPY_SEQUENTIAL && par >= 0.8 * parRaw,
  });

  const subscribers = new SubscriberProcess();
  // Untimed rounds first, for both: the child's code gets compiled before the clock runs.
  await tickwirePublish(subscribers, 20_000, 1);
  await rawPublish(subscribers, 5_000, 1);
  for (const clients of [1, 4]) {
    const pub = await best(runs, () => tickwirePublish(subscribers, pubN / clients, clients));
    const pubRaw = await best(runs, () => rawPublish(subscribers, pubN / clients, clients));
    rows.push({
      suite: SUITE,
      name: `published ticks to ${clients} client${clients > 1 ? "s" : ""} (lossless)`,
      value: pub,
      unit: "ops/s",
      peer: "raw zeromq PUB/SUB, one tick per message",
      peerValue: pubRaw,
      ratio: pub / pubRaw,
      ...(clients === 1 ? { target: ">= 300k ticks/s lossless", met: pub >= 300_000 } : {}),
    });
  }
  await subscribers.close();
  return rows;
};

export default suite;

if (process.env[CHILD_ENV] === "1") await subscriberProcess();
