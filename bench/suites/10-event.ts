/**
 * EventEngine throughput and latency, next to Node's EventEmitter and eventemitter3 emitting
 * synchronously (no queue, no isolation) and a naive queue (array + setImmediate drain).
 */
import { EventEmitter } from "node:events";
import { EventEmitter as EE3 } from "eventemitter3";
import { Event, EventEngine } from "../../src/event/index.js";
import { best, percentile, type BenchRow, type BenchSuite } from "../harness.js";

const TYPES = Array.from({ length: 10 }, (_, i) => `eType${i}`);

function makeEvents(n: number, types: string[]): Event[] {
  const out = new Array<Event>(n);
  for (let i = 0; i < n; i++) out[i] = new Event(types[i % types.length], i);
  return out;
}

// Handlers count into a small integer: adding up the payloads would allocate a heap number per
// call and measure the garbage collector instead of the dispatch.
let sink = 0;
function handlers(n: number): Array<(e: { data: unknown }) => void> {
  // distinct functions, as distinct handlers would be in real code
  return Array.from({ length: n }, () => (e: { data: unknown }) => {
    if (e.data !== undefined) sink = (sink + 1) | 0;
  });
}

async function engineBurst(events: Event[], types: string[], perType: number, general: number): Promise<number> {
  const engine = new EventEngine({ interval: null });
  for (const t of types) for (const h of handlers(perType)) engine.register(t, h);
  for (const h of handlers(general)) engine.registerGeneral(h);
  engine.start();
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) engine.put(events[i]);
  await engine.waitForIdle();
  const secs = (performance.now() - t0) / 1000;
  await engine.stop();
  return events.length / secs;
}

/** dispatch() with a Pending per event vs put() of a new Event: the cost of getting results back.
 * The producer makes `chunk` events per turn of the loop (chunk = n: one burst). */
async function dispatchRate(n: number, usePut: boolean, chunk: number): Promise<number> {
  const engine = new EventEngine({ interval: null });
  for (const h of handlers(1)) engine.register("eType0", h);
  engine.start();
  const t0 = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const produce = (): void => {
      const end = Math.min(n, i + chunk);
      if (usePut) for (; i < end; i++) engine.put(new Event("eType0", i));
      else for (; i < end; i++) engine.dispatch("eType0", i);
      if (i < n) setImmediate(produce);
      else resolve();
    };
    produce();
  });
  await engine.waitForIdle();
  const secs = (performance.now() - t0) / 1000;
  await engine.stop();
  return n / secs;
}

/** A steady stream: the producer puts `chunk` events per turn of the event loop. */
async function engineStream(events: Event[], types: string[], perType: number, general: number, chunk = 1000): Promise<number> {
  const engine = new EventEngine({ interval: null });
  for (const t of types) for (const h of handlers(perType)) engine.register(t, h);
  for (const h of handlers(general)) engine.registerGeneral(h);
  engine.start();
  const t0 = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const produce = (): void => {
      const end = Math.min(events.length, i + chunk);
      for (; i < end; i++) engine.put(events[i]);
      if (i < events.length) setImmediate(produce);
      else resolve();
    };
    produce();
  });
  await engine.waitForIdle();
  const secs = (performance.now() - t0) / 1000;
  await engine.stop();
  return events.length / secs;
}

interface SyncEmitter {
  on(type: string, h: (e: Event) => void): unknown;
  emit(type: string, e: Event): boolean;
}

/** A synchronous emitter (no queue, no isolation). It has no general handler, so the loop calls
 * the catch-all handlers itself, the usual idiom. */
function emitterBurst(em: SyncEmitter, events: Event[], types: string[], perType: number, general: number): number {
  for (const t of types) for (const h of handlers(perType)) em.on(t, h);
  const gs = handlers(general);
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    em.emit(e.type, e);
    for (let j = 0; j < gs.length; j++) gs[j](e);
  }
  return events.length / ((performance.now() - t0) / 1000);
}

const nodeEmitter = (): SyncEmitter => new EventEmitter().setMaxListeners(0);
const ee3Emitter = (): SyncEmitter => new EE3();

/** The naive queue: push to an array, swap it out and drain it in one setImmediate, look handlers
 * up in a Map. (Array#shift() would be the more naive drain, but it is O(n) on a 1M-long array.) */
class NaiveQueue {
  private q: Event[] = [];
  private scheduled = false;
  private map = new Map<string, Array<(e: Event) => void>>();
  private idle: (() => void) | undefined;
  on(type: string, h: (e: Event) => void): void {
    const l = this.map.get(type) ?? [];
    l.push(h);
    this.map.set(type, l);
  }
  put(e: Event): void {
    this.q.push(e);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }
  drain = (): void => {
    this.scheduled = false;
    const q = this.q;
    this.q = [];
    for (const e of q) for (const h of this.map.get(e.type) ?? []) h(e);
    if (this.q.length === 0 && this.idle) this.idle();
  };
  waitForIdle(): Promise<void> {
    return this.q.length === 0 ? Promise.resolve() : new Promise((r) => (this.idle = r));
  }
}

async function naiveBurst(events: Event[], types: string[], perType: number): Promise<number> {
  const nq = new NaiveQueue();
  for (const t of types) for (const h of handlers(perType)) nq.on(t, h);
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) nq.put(events[i]);
  await nq.waitForIdle();
  return events.length / ((performance.now() - t0) / 1000);
}

/** Events made by their producer, as a gateway or strategy makes them: each `Event` is allocated
 * as it is put, inside the timed loop, for the engine and its peers alike. `chunk` events per turn
 * of the event loop (chunk = n: one burst). One loop per contender, so none of them inherits
 * another's call-site feedback. */
async function engineProduced(n: number, chunk: number): Promise<number> {
  const engine = new EventEngine({ interval: null });
  for (const h of handlers(1)) engine.register("eType0", h);
  engine.start();
  const t0 = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const produce = (): void => {
      const end = Math.min(n, i + chunk);
      for (; i < end; i++) engine.put(new Event("eType0", i));
      if (i < n) setImmediate(produce);
      else resolve();
    };
    produce();
  });
  await engine.waitForIdle();
  const rate = n / ((performance.now() - t0) / 1000);
  await engine.stop();
  return rate;
}

async function emitterProduced(n: number, chunk: number): Promise<number> {
  const em = nodeEmitter();
  for (const h of handlers(1)) em.on("eType0", h);
  const t0 = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const produce = (): void => {
      const end = Math.min(n, i + chunk);
      for (; i < end; i++) {
        const e = new Event("eType0", i);
        em.emit(e.type, e);
      }
      if (i < n) setImmediate(produce);
      else resolve();
    };
    produce();
  });
  return n / ((performance.now() - t0) / 1000);
}

async function naiveProduced(n: number, chunk: number): Promise<number> {
  const nq = new NaiveQueue();
  for (const h of handlers(1)) nq.on("eType0", h);
  const t0 = performance.now();
  let i = 0;
  await new Promise<void>((resolve) => {
    const produce = (): void => {
      const end = Math.min(n, i + chunk);
      for (; i < end; i++) nq.put(new Event("eType0", i));
      if (i < n) setImmediate(produce);
      else resolve();
    };
    produce();
  });
  await nq.waitForIdle();
  return n / ((performance.now() - t0) / 1000);
}

async function latency(samples: number, naive: boolean): Promise<number[]> {
  const out: number[] = [];
  let sent = 0;
  let resolveOne: (() => void) | undefined;
  const onEvent = (): void => {
    out.push((performance.now() - sent) * 1000);
    resolveOne?.();
  };
  const engine = new EventEngine({ interval: null });
  const nq = new NaiveQueue();
  engine.register("eLat", onEvent);
  nq.on("eLat", onEvent);
  engine.start();
  const ev = new Event("eLat", 0);
  for (let i = 0; i < samples; i++) {
    // light load: one event in flight, spaced by a timer tick
    await new Promise<void>((r) => setTimeout(r, 0));
    const done = new Promise<void>((r) => (resolveOne = r));
    sent = performance.now();
    if (naive) nq.put(ev);
    else engine.put(ev);
    await done;
  }
  await engine.stop();
  return out.slice(Math.floor(samples / 10)); // drop warm-up
}

const suite: BenchSuite = async ({ quick }) => {
  const N = quick ? 200_000 : 1_000_000;
  const runs = quick ? 2 : 3;
  const rows: BenchRow[] = [];
  const one = makeEvents(N, ["eType0"]);
  const ten = makeEvents(N, TYPES);

  const e11 = await best(runs, () => engineBurst(one, ["eType0"], 1, 0));
  const em11 = await best(runs, () => emitterBurst(nodeEmitter(), one, ["eType0"], 1, 0));
  const ee311 = await best(runs, () => emitterBurst(ee3Emitter(), one, ["eType0"], 1, 0));
  const nq11 = await best(runs, () => naiveBurst(one, ["eType0"], 1));
  rows.push({
    suite: "event",
    name: `put→handler 1×1, burst of ${N / 1e6}M (events/s)`,
    value: e11,
    unit: "ev/s",
    peer: "EventEmitter sync emit",
    peerValue: em11,
    ratio: e11 / em11,
    target: "≥ 0.5× EventEmitter",
    met: e11 / em11 >= 0.5,
  });
  rows.push({
    suite: "event",
    name: `put→handler 1×1, burst of ${N / 1e6}M (events/s)`,
    value: e11,
    unit: "ev/s",
    peer: "eventemitter3 sync emit",
    peerValue: ee311,
    ratio: e11 / ee311,
  });
  rows.push({
    suite: "event",
    name: `put→handler 1×1, burst of ${N / 1e6}M (events/s)`,
    value: e11,
    unit: "ev/s",
    peer: "naive array+setImmediate queue",
    peerValue: nq11,
    ratio: e11 / nq11,
    target: "≥ 2× naive queue",
    met: e11 / nq11 >= 2,
  });

  const e10 = await best(runs, () => engineBurst(ten, TYPES, 3, 1));
  const em10 = await best(runs, () => emitterBurst(nodeEmitter(), ten, TYPES, 3, 1));
  const ee310 = await best(runs, () => emitterBurst(ee3Emitter(), ten, TYPES, 3, 1));
  rows.push({
    suite: "event",
    name: "10 types × 3 handlers + 1 general, burst (events/s)",
    value: e10,
    unit: "ev/s",
    peer: "EventEmitter sync emit",
    peerValue: em10,
    ratio: e10 / em10,
    target: "≥ 1× EventEmitter",
    met: e10 / em10 >= 1,
  });
  rows.push({
    suite: "event",
    name: "10 types × 3 handlers + 1 general, burst (events/s)",
    value: e10,
    unit: "ev/s",
    peer: "eventemitter3 sync emit",
    peerValue: ee310,
    ratio: e10 / ee310,
  });

  const s11 = await best(runs, () => engineStream(one, ["eType0"], 1, 0));
  const s10 = await best(runs, () => engineStream(ten, TYPES, 3, 1));
  rows.push({
    suite: "event",
    name: "1×1, steady stream of 1k-event chunks (events/s)",
    value: s11,
    unit: "ev/s",
    peer: "EventEmitter sync emit",
    peerValue: em11,
    ratio: s11 / em11,
  });
  rows.push({
    suite: "event",
    name: "10×3+1, steady stream of 1k-event chunks (events/s)",
    value: s10,
    unit: "ev/s",
    peer: "EventEmitter sync emit",
    peerValue: em10,
    ratio: s10 / em10,
  });

  const D = quick ? 100_000 : 500_000;
  for (const [label, chunk] of [
    ["steady stream of 1k", 1000],
    ["one burst", D],
  ] as const) {
    const dPut = await best(runs, () => dispatchRate(D, true, chunk));
    const dDis = await best(runs, () => dispatchRate(D, false, chunk));
    rows.push({
      suite: "event",
      name: `dispatch() with a Pending per event, 1×1, ${label} (events/s)`,
      value: dDis,
      unit: "ev/s",
      peer: "put() of a new Event, same engine",
      peerValue: dPut,
      ratio: dDis / dPut,
      target: "cost ≤ 3× put (ratio ≥ 0.33)",
      met: dDis / dPut >= 1 / 3,
    });
  }

  // The producer makes each event as it puts it (the rows above reuse events made before timing).
  const pStream = await best(runs, () => engineProduced(N, 1000));
  const pStreamEm = await best(runs, () => emitterProduced(N, 1000));
  rows.push({
    suite: "event",
    name: "1×1, steady stream of 1k new events per turn, made by the producer (events/s)",
    value: pStream,
    unit: "ev/s",
    peer: "EventEmitter sync emit, same new events",
    peerValue: pStreamEm,
    ratio: pStream / pStreamEm,
    target: "≥ 0.5× EventEmitter",
    met: pStream / pStreamEm >= 0.5,
  });
  const pBurst = await best(runs, () => engineProduced(N, N));
  const pBurstNq = await best(runs, () => naiveProduced(N, N));
  rows.push({
    suite: "event",
    name: `1×1, burst of ${N / 1e6}M new events, made by the producer (events/s)`,
    value: pBurst,
    unit: "ev/s",
    peer: "naive array+setImmediate queue, same new events",
    peerValue: pBurstNq,
    ratio: pBurst / pBurstNq,
    target: "≥ 1× naive queue",
    met: pBurst / pBurstNq >= 1,
  });

  const lat = await latency(quick ? 1000 : 5000, false);
  const latN = await latency(quick ? 1000 : 5000, true);
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  rows.push({
    suite: "event",
    name: "put→handler latency p50, light load",
    value: p50,
    unit: "µs",
    peer: "naive queue",
    peerValue: percentile(latN, 50),
    ratio: percentile(latN, 50) / p50,
  });
  rows.push({
    suite: "event",
    name: "put→handler latency p99, light load",
    value: p99,
    unit: "µs",
    peer: "naive queue",
    peerValue: percentile(latN, 99),
    ratio: percentile(latN, 99) / p99,
    target: "< 25 µs",
    met: p99 < 25,
  });
  if (sink === -1) console.log(sink);
  return rows;
};

export default suite;
