import { test, describe } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  Event,
  EventEngine,
  EVENT_HANDLER_ERROR,
  EVENT_TIMER,
  EVENT_SLOW_HANDLER,
  isTickwireError,
  MAX_COUNTED_UNHANDLED_TYPES,
  type TimerData,
  type HandlerErrorData,
} from "../../src/event/index.js";

const quiet = { onError: () => {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("EventEngine ordering", () => {
  test("handlers of the exact type run in registration order, then general handlers, FIFO across events", async () => {
    const e = new EventEngine({ interval: null });
    const log: string[] = [];
    e.registerGeneral((ev) => void log.push(`g1:${ev.type}:${ev.data}`));
    e.register("a", (ev) => void log.push(`a1:${ev.data}`));
    e.register("a", (ev) => void log.push(`a2:${ev.data}`));
    e.register("b", (ev) => void log.push(`b1:${ev.data}`));
    e.registerGeneral((ev) => void log.push(`g2:${ev.type}:${ev.data}`));
    e.start();
    e.put(new Event("a", 1));
    e.put(new Event("b", 2));
    e.put(new Event("a", 3));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(log, ["a1:1", "a2:1", "g1:a:1", "g2:a:1", "b1:2", "g1:b:2", "g2:b:2", "a1:3", "a2:3", "g1:a:3", "g2:a:3"]);
  });

  test("a typed engine gives a handler the payload type of its event type", async () => {
    const e = new EventEngine<{ price: { last: number }; [k: `tick.${string}`]: { symbol: string } }>({ interval: null });
    let got = 0;
    let sym = "";
    e.register("price", (ev) => void (got = ev.data.last));
    e.register("tick.rb2410", (ev) => void (sym = ev.data.symbol));
    e.start();
    e.put(new Event("price", { last: 3500 }));
    e.put(new Event("tick.rb2410", { symbol: "rb2410" }));
    await e.waitForIdle();
    await e.stop();
    assert.equal(got, 3500);
    assert.equal(sym, "rb2410");
  });
});

describe("EventEngine registration", () => {
  test("registering the same handler twice for a type is a no-op", async () => {
    const e = new EventEngine({ interval: null });
    let n = 0;
    const h = () => void n++;
    e.register("a", h);
    e.register("a", h);
    e.registerGeneral(h);
    e.registerGeneral(h);
    e.start();
    e.put(new Event("a"));
    await e.waitForIdle();
    await e.stop();
    assert.equal(n, 2); // once as a type handler, once as a general handler
    assert.equal(e.handlersOf("a").length, 1);
  });

  test("unregistering the last handler of a type removes the type, and unknown ones do nothing", () => {
    const e = new EventEngine({ interval: null });
    const h1 = () => {};
    const h2 = () => {};
    e.register("a", h1);
    e.register("a", h2);
    e.unregister("a", h1);
    assert.deepEqual(e.types(), ["a"]);
    e.unregister("a", h2);
    assert.deepEqual(e.types(), []);
    e.unregister("a", h2);
    e.unregister("never", h1);
    e.unregisterGeneral(h1);
    assert.deepEqual(e.types(), []);
  });

  test("handlers added or removed during a dispatch take effect from the next event", async () => {
    const e = new EventEngine({ interval: null });
    const log: string[] = [];
    const late = (ev: Event) => void log.push(`late:${ev.data}`);
    const second = (ev: Event) => void log.push(`second:${ev.data}`);
    const first = (ev: Event) => {
      log.push(`first:${ev.data}`);
      if (ev.data === 1) {
        e.register("a", late);
        e.unregister("a", second);
      }
    };
    e.register("a", first);
    e.register("a", second);
    e.start();
    e.put(new Event("a", 1));
    e.put(new Event("a", 2));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(log, ["first:1", "second:1", "first:2", "late:2"]);
  });
});

describe("EventEngine registration during dispatch (general handlers)", () => {
  test("general handlers added or removed during a dispatch take effect from the next event", async () => {
    const e = new EventEngine({ interval: null });
    const log: string[] = [];
    const late = (ev: Event) => void log.push(`late:${String(ev.data)}`);
    const second = (ev: Event) => void log.push(`second:${String(ev.data)}`);
    e.register("a", (ev) => {
      log.push(`own:${String(ev.data)}`);
      if (ev.data === 1) {
        e.registerGeneral(late);
        e.unregisterGeneral(second);
      }
    });
    e.registerGeneral(second);
    e.start();
    e.put(new Event("a", 1));
    e.put(new Event("a", 2));
    e.put(new Event("b", 3));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(log, ["own:1", "second:1", "own:2", "late:2", "late:3"]);
  });
});

describe("EventEngine isolation", () => {
  test("a throwing handler and a rejecting handler never stop dispatch; errors are reported and put as events", async () => {
    const errors: Array<{ handler: string; message: string }> = [];
    const e = new EventEngine({
      interval: null,
      onError: (err, info) => errors.push({ handler: info.handler, message: (err as Error).message }),
    });
    const log: string[] = [];
    const errorEvents: HandlerErrorData[] = [];
    e.register("a", function thrower() {
      throw new Error("sync boom");
    });
    e.register("a", async function rejecter() {
      await sleep(1);
      throw new Error("async boom");
    });
    e.register("a", (ev) => void log.push(`after:${ev.data}`));
    e.register(EVENT_HANDLER_ERROR, (ev) => void errorEvents.push(ev.data));
    e.start();
    e.put(new Event("a", 1));
    e.put(new Event("a", 2));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(log, ["after:1", "after:2"]);
    assert.equal(errors.filter((x) => x.handler === "thrower").length, 2);
    assert.equal(errors.filter((x) => x.handler === "rejecter").length, 2);
    assert.equal(errorEvents.length, 4);
    assert.equal(errorEvents[0].event.type, "a");
    assert.equal(errorEvents[0].handler, "thrower");
    assert.equal((errorEvents[0].error as Error).message, "sync boom");
    assert.equal(e.stats().handlerErrors, 4);
  });

  test("an error in an error handler is reported but never loops", async () => {
    let reported = 0;
    const e = new EventEngine({ interval: null, onError: () => void reported++ });
    let errorHandlerRuns = 0;
    e.register("a", () => {
      throw new Error("first");
    });
    e.register(EVENT_HANDLER_ERROR, () => {
      errorHandlerRuns++;
      throw new Error("in the error handler");
    });
    e.start();
    e.put(new Event("a"));
    await e.waitForIdle();
    await sleep(5);
    await e.stop();
    assert.equal(errorHandlerRuns, 1);
    assert.equal(reported, 2);
    assert.equal(e.stats().dispatchedByType[EVENT_HANDLER_ERROR], 1);
  });
});

describe("EventEngine queueing", () => {
  test("put from inside a handler queues behind what is already queued", async () => {
    const e = new EventEngine({ interval: null });
    const log: string[] = [];
    e.register("a", (ev) => {
      log.push(`a:${ev.data}`);
      if (ev.data === 1) e.put(new Event("b", "from-a1"));
    });
    e.register("b", (ev) => void log.push(`b:${ev.data}`));
    e.start();
    e.put(new Event("a", 1));
    e.put(new Event("a", 2));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(log, ["a:1", "a:2", "b:from-a1"]);
  });

  test("events put before start() are kept and dispatched once it starts", async () => {
    const e = new EventEngine({ interval: null });
    const seen: number[] = [];
    e.register("a", (ev) => void seen.push(ev.data as number));
    e.put(new Event("a", 1));
    e.put(new Event("a", 2));
    await sleep(5);
    assert.deepEqual(seen, []);
    e.start();
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(seen, [1, 2]);
  });

  test("stop() dispatches what is queued, then resolves, and start() works again", async () => {
    const e = new EventEngine({ interval: null });
    const seen: number[] = [];
    e.register("a", (ev) => void seen.push(ev.data as number));
    e.start();
    for (let i = 0; i < 5000; i++) e.put(new Event("a", i));
    await e.stop();
    assert.equal(seen.length, 5000);
    assert.equal(e.running, false);
    e.put(new Event("a", 5000));
    e.start();
    await e.waitForIdle();
    await e.stop();
    assert.equal(seen.length, 5001);
  });

  test("stop() with a deadline drops and reports what it could not dispatch in time", async () => {
    const reported: unknown[] = [];
    const e = new EventEngine({ interval: null, onError: (err) => reported.push(err), batchSize: 1 });
    e.register("slow", () => {
      const until = Date.now() + 5;
      while (Date.now() < until);
    });
    e.start();
    for (let i = 0; i < 200; i++) e.put(new Event("slow"));
    await e.stop({ deadlineMs: 30 });
    const s = e.stats();
    assert.ok(s.abandoned > 0, "some events were left over");
    assert.equal(s.abandoned + (s.dispatchedByType.slow ?? 0), 200);
    assert.ok(reported.some((x) => isTickwireError(x, "TW_EVENT_STOP_DEADLINE")));
    assert.equal(s.queueDepth, 0);
  });

  test("two stop() calls at once share one stop: both resolve when the queue is drained", async () => {
    const e = new EventEngine({ interval: null });
    const seen: number[] = [];
    e.register("a", (ev) => void seen.push(ev.data as number));
    e.start();
    for (let i = 0; i < 5000; i++) e.put(new Event("a", i));
    let firstDone = false;
    const first = e.stop({ deadlineMs: 600_000 }).then(() => (firstDone = true));
    await e.stop();
    await new Promise((r) => setImmediate(r));
    assert.equal(firstDone, true, "the first stop resolved with the second");
    await first;
    assert.equal(seen.length, 5000);
  });

  test("start() while a stop is draining takes effect once the stop has finished", async () => {
    const e = new EventEngine({ interval: null });
    const seen: number[] = [];
    e.register("a", async (ev) => {
      await sleep(5);
      seen.push(ev.data as number);
    });
    e.start();
    e.put(new Event("a", 1));
    const stopping = e.stop();
    e.start();
    await stopping;
    assert.deepEqual(seen, [1], "the stop still drained and awaited what was running");
    assert.equal(e.running, true, "the engine runs again after the stop");
    e.put(new Event("a", 2));
    await e.waitForIdle();
    assert.deepEqual(seen, [1, 2]);
    await e.stop();
    assert.equal(e.running, false);
  });

  test("stop() after a start() made during a stop wins: the engine ends stopped", async () => {
    const e = new EventEngine({ interval: 0.01 });
    e.register("slow", async () => void (await sleep(20)));
    e.start();
    e.put(new Event("slow"));
    const first = e.stop();
    e.start();
    const second = e.stop();
    await Promise.all([first, second]);
    assert.equal(e.running, false);
    let timers = 0;
    e.register(EVENT_TIMER, () => void timers++);
    await sleep(40);
    assert.equal(timers, 0, "no timer runs after the last stop");
  });

  test("a start() and stop() made by code woken as a stop finishes leave the engine stopped", async () => {
    const e = new EventEngine({ interval: null });
    e.register("slow", async () => void (await sleep(20)));
    e.start();
    e.put(new Event("slow"));
    await new Promise((r) => setImmediate(r));
    const cycle = e.waitForIdle().then(async () => {
      e.start();
      await e.stop();
      return e.running;
    });
    await e.stop();
    assert.equal(await cycle, false);
    assert.equal(e.running, false);
  });

  test("the high-water mark sees a queue that a handler fills inside a batch", async () => {
    const e = new EventEngine({ interval: null });
    e.register("fill", () => {
      for (let i = 0; i < 500; i++) e.put(new Event("x"));
    });
    e.start();
    e.put(new Event("fill"));
    await e.waitForIdle();
    await e.stop();
    assert.ok(e.stats().highWater >= 500, `high water ${e.stats().highWater}`);
  });

  test("stop() waits for async handlers still running", async () => {
    const e = new EventEngine({ interval: null });
    let finished = false;
    e.register("a", async () => {
      await sleep(20);
      finished = true;
    });
    e.start();
    e.put(new Event("a"));
    await sleep(1);
    await e.stop();
    assert.equal(finished, true);
  });
});

describe("EventEngine timer", () => {
  // On node:test's mock clock: setInterval (and Date) move only when the test ticks them, so the
  // timer's events are counted exactly, with no sleeping.
  test("while started, an eTimer event fires every interval and says when it fired", async (t) => {
    const T0 = 1_717_405_200_000;
    t.mock.timers.enable({ apis: ["setInterval", "Date"], now: T0 });
    const e = new EventEngine({ interval: 0.02 });
    const fired: TimerData[] = [];
    e.register(EVENT_TIMER, (ev) => void fired.push(ev.data));
    const tick = async (ms: number) => {
      t.mock.timers.tick(ms);
      await e.waitForIdle();
    };
    e.start();
    await tick(19);
    assert.equal(fired.length, 0, "no timer event before the first interval");
    await tick(1);
    assert.deepEqual(fired, [{ time: T0 + 20, interval: 0.02 }]);
    await tick(20);
    await tick(20);
    assert.deepEqual(
      fired.map((f) => f.time),
      [T0 + 20, T0 + 40, T0 + 60],
    );
    await e.stop();
    t.mock.timers.tick(100);
    await new Promise((r) => setImmediate(r));
    assert.equal(fired.length, 3, "no timer events after stop()");
  });

  test("setTimerInterval changes the period at run time and null stops the timer", async (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const e = new EventEngine({ interval: 10 });
    let n = 0;
    e.register(EVENT_TIMER, () => void n++);
    const tick = async (ms: number) => {
      t.mock.timers.tick(ms);
      await e.waitForIdle();
    };
    e.start();
    await tick(9_999);
    assert.equal(n, 0);
    e.setTimerInterval(0.01);
    await tick(1);
    assert.equal(n, 0, "the 10 s timer is gone");
    await tick(9);
    assert.equal(n, 1);
    await tick(10);
    assert.equal(n, 2);
    e.setTimerInterval(null);
    await tick(1_000);
    assert.equal(n, 2);
    assert.throws(
      () => e.setTimerInterval(-1),
      (err: unknown) => isTickwireError(err, "TW_EVENT_BAD_OPTION"),
    );
    await e.stop();
  });

  test("under load, timer events do not pile up: at most one waits in the queue", async () => {
    const e = new EventEngine({ interval: 0.005, batchSize: 1, batchTimeMs: 1000 });
    // When each timer event fired (its data) and when it was dispatched.
    const timers: Array<{ fired: number; dispatched: number }> = [];
    e.register(EVENT_TIMER, (ev: Event<TimerData>) => void timers.push({ fired: ev.data.time, dispatched: Date.now() }));
    e.register("busy", () => {
      const until = Date.now() + 2;
      while (Date.now() < until);
    });
    e.start();
    for (let i = 0; i < 40; i++) e.put(new Event("busy"));
    await e.waitForIdle();
    await e.stop();
    // 40 × 2 ms of work with a 5 ms timer: about 16 periods passed while the first timer event
    // waited behind the busy ones. Had a second been queued then, it would have fired before the
    // first was dispatched.
    assert.ok(timers.length >= 1);
    for (let k = 1; k < timers.length; k++) {
      assert.ok(timers[k].fired >= timers[k - 1].dispatched, `timer ${k} was queued while timer ${k - 1} still waited: ${JSON.stringify(timers)}`);
    }
  });
});

describe("EventEngine fairness", () => {
  test("while a million events are dispatched, a waiting setImmediate and a socket read run before the flood is over", async () => {
    const server = net.createServer((sock) => sock.end("hello"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const e = new EventEngine({ interval: null });
    let handled = 0;
    e.register("flood", () => void handled++);
    const client = net.connect(port, "127.0.0.1");
    await new Promise<void>((r) => client.once("connect", r));
    let readAt = -1;
    let immediateAt = -1;
    client.once("data", () => (readAt = handled));
    e.start();
    for (let i = 0; i < 1_000_000; i++) e.put(new Event("flood"));
    setImmediate(() => (immediateAt = handled));
    await e.waitForIdle();
    await e.stop();
    client.destroy();
    server.close();
    assert.equal(handled, 1_000_000);
    assert.ok(immediateAt >= 0 && immediateAt < 1_000_000, `setImmediate ran at ${immediateAt}`);
    assert.ok(readAt >= 0 && readAt < 1_000_000, `socket read ran at ${readAt}`);
  });
});

describe("EventEngine bounded queue", () => {
  test("overflow reject: put fails with TW_EVENT_QUEUE_FULL and nothing queued is lost", async () => {
    const e = new EventEngine({ interval: null, maxQueue: 3, overflow: "reject" });
    const seen: number[] = [];
    e.register("a", (ev) => void seen.push(ev.data as number));
    for (let i = 0; i < 3; i++) e.put(new Event("a", i));
    assert.throws(
      () => e.put(new Event("a", 3)),
      (err: unknown) => isTickwireError(err, "TW_EVENT_QUEUE_FULL"),
    );
    e.start();
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(seen, [0, 1, 2]);
    assert.equal(e.stats().rejected, 1);
  });

  test("overflow drop-oldest: the oldest queued events make room and are counted", async () => {
    const e = new EventEngine({ interval: null, maxQueue: 3, overflow: "drop-oldest" });
    const seen: number[] = [];
    e.register("a", (ev) => void seen.push(ev.data as number));
    for (let i = 0; i < 5; i++) e.put(new Event("a", i));
    e.start();
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(seen, [2, 3, 4]);
    assert.equal(e.stats().dropped, 2);
  });

  test("overflow conflate: only the latest queued event per key is kept, in the first one's place", async () => {
    const e = new EventEngine<{ tick: { symbol: string; price: number }; order: string }>({
      interval: null,
      maxQueue: 100,
      overflow: "conflate",
      conflateKey: (ev) => (ev.type === "tick" ? `tick:${(ev.data as { symbol: string }).symbol}` : undefined),
    });
    const seen: string[] = [];
    e.register("tick", (ev) => void seen.push(`${ev.data.symbol}@${ev.data.price}`));
    e.register("order", (ev) => void seen.push(`order:${ev.data}`));
    e.put(new Event("tick", { symbol: "rb", price: 1 }));
    e.put(new Event("tick", { symbol: "au", price: 1 }));
    e.put(new Event("order", "o1"));
    e.put(new Event("tick", { symbol: "rb", price: 2 }));
    e.put(new Event("tick", { symbol: "rb", price: 3 }));
    e.put(new Event("order", "o2"));
    e.start();
    await e.waitForIdle();
    e.put(new Event("tick", { symbol: "rb", price: 4 }));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(seen, ["rb@3", "au@1", "order:o1", "order:o2", "rb@4"]);
    assert.equal(e.stats().conflated, 2);
  });
});

describe("EventEngine stats", () => {
  test("stats() shows depth, high-water mark, per-type counts, errors and handler time", async () => {
    const e = new EventEngine({ interval: null, profile: true, ...quiet });
    e.register("a", function fast() {});
    e.register("b", function slowOne() {
      const until = performance.now() + 3;
      while (performance.now() < until);
    });
    e.register("b", function broken() {
      throw new Error("x");
    });
    for (let i = 0; i < 10; i++) e.put(new Event("a"));
    e.put(new Event("b"));
    assert.equal(e.stats().queueDepth, 11);
    e.start();
    await e.waitForIdle();
    await e.stop();
    const s = e.stats();
    assert.equal(s.queueDepth, 0);
    assert.ok(s.highWater >= 11);
    assert.equal(s.dispatchedByType.a, 10);
    assert.equal(s.dispatchedByType.b, 1);
    assert.equal(s.handlerErrors, 1);
    assert.ok(s.handlerTime.totalMs >= 3);
    assert.equal(s.handlerTime.slowest?.handler, "slowOne");
    assert.ok((s.handlerTime.slowest?.ms ?? 0) >= 3);
  });

  test("types without handlers do not grow the engine: counted one by one up to a bound, then together", async () => {
    const e = new EventEngine({ interval: null });
    const seen: string[] = [];
    e.registerGeneral((ev) => void seen.push(ev.type));
    const n = MAX_COUNTED_UNHANDLED_TYPES + 500;
    for (let i = 0; i < n; i++) e.put(new Event(`eOrder.SIM.${i}`));
    e.put(new Event("eOrder.SIM.0"));
    e.start();
    await e.waitForIdle();
    assert.equal(seen.length, n + 1, "general handlers still see every event");
    let s = e.stats();
    assert.equal(Object.keys(s.dispatchedByType).length, MAX_COUNTED_UNHANDLED_TYPES);
    assert.equal(s.dispatchedByType["eOrder.SIM.0"], 2);
    assert.equal(s.dispatchedOtherTypes, 500);
    assert.deepEqual(e.types(), []);

    // A handler registered later takes the type's count with it; removing the last one gives it back.
    const got: unknown[] = [];
    const h = (ev: Event): void => void got.push(ev.data);
    e.register("eOrder.SIM.0", h);
    e.put(new Event("eOrder.SIM.0", "x"));
    await e.waitForIdle();
    assert.deepEqual(got, ["x"]);
    assert.equal(e.stats().dispatchedByType["eOrder.SIM.0"], 3);
    assert.deepEqual(e.types(), ["eOrder.SIM.0"]);
    e.unregister("eOrder.SIM.0", h);
    assert.deepEqual(e.types(), []);
    e.put(new Event("eOrder.SIM.0", "y"));
    await e.waitForIdle();
    assert.deepEqual(got, ["x"], "an unregistered handler is not called, even for the type dispatched just before");
    s = e.stats();
    assert.equal(s.dispatchedByType["eOrder.SIM.0"], 4);
    await e.stop();
  });

  test("slowHandlerMs reports slower handlers as eSlowHandler events", async () => {
    const e = new EventEngine({ interval: null, slowHandlerMs: 2 });
    const slow: string[] = [];
    e.register(EVENT_SLOW_HANDLER, (ev) => void slow.push(ev.data.handler));
    e.register("a", function sluggish() {
      const until = performance.now() + 5;
      while (performance.now() < until);
    });
    e.register("a", function quick() {});
    e.start();
    e.put(new Event("a"));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(slow, ["sluggish"]);
    assert.equal(e.stats().slowHandlers, 1);
  });
});
