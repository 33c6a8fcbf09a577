import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Event, EventEngine, isTickwireError, Pending, type EventEngineOptions } from "../../src/event/index.js";

const quiet = { onError: () => {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const never = () => new Promise<never>(() => {});

describe("EventEngine put of what is not an event", () => {
  const bad: unknown[] = [42, null, undefined, {}, "eTick", { type: "a", data: 1 }, [new Event("a")]];

  test("put of anything that is not an Event throws TW_EVENT_BAD_EVENT at the call and queues nothing", () => {
    const e = new EventEngine({ interval: null });
    for (const v of bad)
      assert.throws(
        () => e.put(v as Event),
        (err: unknown) => isTickwireError(err, "TW_EVENT_BAD_EVENT"),
        String(v),
      );
    assert.equal(e.stats().put, 0);
    assert.equal(e.stats().queueDepth, 0);
  });

  test("a bounded engine refuses what is not an Event the same way", () => {
    const e = new EventEngine({ interval: null, maxQueue: 10, overflow: "conflate" });
    for (const v of bad)
      assert.throws(
        () => e.put(v as Event),
        (err: unknown) => isTickwireError(err, "TW_EVENT_BAD_EVENT"),
        String(v),
      );
    assert.equal(e.stats().queueDepth, 0);
  });

  test("after refused puts a running engine goes on dispatching the events put around them", async () => {
    const e = new EventEngine({ interval: null });
    const seen: number[] = [];
    e.register("a", (ev) => void seen.push(ev.data as number));
    e.start();
    e.put(new Event("a", 1));
    for (const v of bad) assert.throws(() => e.put(v as Event));
    e.put(new Event("a", 2));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(seen, [1, 2]);
  });

  test("an event whose internal fields were overwritten is reported, and dispatch goes on", async () => {
    const reported: unknown[] = [];
    const e = new EventEngine({ interval: null, onError: (err) => reported.push(err) });
    const seen: number[] = [];
    e.register("a", (ev) => void seen.push(ev.data as number));
    e.start();
    const tampered = new Event("a", 1);
    (tampered as { result: unknown }).result = { not: "a Pending" };
    e.put(tampered);
    e.put(new Event("a", 2));
    await e.waitForIdle();
    await e.stop();
    assert.ok(seen.includes(2), "the event after the tampered one was dispatched");
    assert.ok(reported.length > 0, "the failure was reported");
  });

  test("a conflateKey that throws while the queue drains is reported, and dispatch goes on", async () => {
    const reported: unknown[] = [];
    let failing = false;
    const e = new EventEngine({
      interval: null,
      maxQueue: 100,
      overflow: "conflate",
      onError: (err) => reported.push(err),
      conflateKey: (ev) => {
        if (failing) throw new Error("key failed");
        return ev.type;
      },
    });
    const seen: string[] = [];
    e.register("a", (ev) => void seen.push(ev.data as string));
    e.register("b", (ev) => void seen.push(ev.data as string));
    e.put(new Event("a", "a"));
    e.put(new Event("b", "b"));
    failing = true; // from now on, while the queue drains
    e.start();
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(seen, ["a", "b"]);
    assert.ok(reported.some((x) => x instanceof Error && x.message === "key failed"));
  });
});

describe("EventEngine options", () => {
  const badOptions: Array<[keyof EventEngineOptions, unknown]> = [
    ["batchSize", 0],
    ["batchSize", -1],
    ["batchSize", 1.5],
    ["batchSize", NaN],
    ["batchSize", "10"],
    ["batchTimeMs", -1],
    ["batchTimeMs", NaN],
    ["slowHandlerMs", -5],
    ["slowHandlerMs", NaN],
    ["maxQueue", 0],
    ["maxQueue", -1],
    ["maxQueue", 2.5],
    ["maxQueue", NaN],
    ["interval", 0],
    ["interval", -1],
    ["interval", NaN],
    ["interval", Infinity],
    ["overflow", "bogus"],
    ["conflateKey", "type"],
    ["onError", "log"],
    ["profile", "yes"],
    ["asyncContext", 1],
    ["name", ""],
    ["name", 7],
    ["context", 5],
  ];

  for (const [option, value] of badOptions) {
    test(`${option}: ${String(value)} is refused with TW_EVENT_BAD_OPTION naming the option and what it allows`, () => {
      assert.throws(
        () => new EventEngine({ [option]: value } as EventEngineOptions),
        (err: unknown) =>
          isTickwireError(err, "TW_EVENT_BAD_OPTION") &&
          err.details?.option === option &&
          err.message.includes(option) &&
          typeof err.details?.allowed === "string" &&
          err.message.includes(err.details.allowed),
      );
    });
  }

  test("values at the edges of each range are accepted", async () => {
    const e = new EventEngine({
      name: "edges",
      interval: null,
      batchSize: 1,
      batchTimeMs: 0,
      slowHandlerMs: 0,
      maxQueue: 1,
      overflow: "drop-oldest",
      profile: false,
      asyncContext: false,
      context: {},
    });
    const seen: number[] = [];
    e.register("a", (ev) => void seen.push(ev.data as number));
    e.start();
    e.put(new Event("a", 1));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(seen, [1]);
    assert.doesNotThrow(() => new EventEngine({ interval: 0.001, maxQueue: Infinity, slowHandlerMs: Infinity }));
    // null means left out (options that crossed JSON, as a Subprocess's do, hold null for Infinity)
    const nulls = new EventEngine({ interval: null, maxQueue: null, slowHandlerMs: null, context: null } as unknown as EventEngineOptions);
    assert.equal(nulls.stats().name.startsWith("engine-"), true);
  });

  test("stop() with a deadlineMs that is negative or not a number rejects with TW_EVENT_BAD_OPTION and leaves the engine running", async () => {
    const e = new EventEngine({ interval: null });
    e.start();
    for (const deadlineMs of [-1, NaN, "5" as unknown as number])
      await assert.rejects(e.stop({ deadlineMs }), (err: unknown) => isTickwireError(err, "TW_EVENT_BAD_OPTION") && err.details?.option === "deadlineMs");
    assert.equal(e.running, true);
    await e.stop();
  });

  test("stop() with deadlineMs Infinity waits for a slow async handler instead of giving up at once", async () => {
    const e = new EventEngine({ interval: null });
    let finished = false;
    e.register("a", async () => {
      await sleep(30);
      finished = true;
    });
    e.start();
    e.put(new Event("a"));
    await sleep(1);
    await e.stop({ deadlineMs: Infinity });
    assert.equal(finished, true);
    assert.equal(e.stats().abandoned, 0);
  });
});

describe("EventEngine stop() past its deadline", () => {
  test("a handler that never settles is counted as abandoned and reported as TW_EVENT_STOP_DEADLINE", async () => {
    const reported: unknown[] = [];
    const e = new EventEngine({ interval: null, onError: (err) => reported.push(err) });
    e.register("hang", never);
    e.start();
    e.put(new Event("hang"));
    await sleep(1);
    await e.stop({ deadlineMs: 50 });
    const s = e.stats();
    assert.equal(s.abandoned, 1);
    assert.equal(s.inFlight, 0);
    const err = reported.find((x) => isTickwireError(x, "TW_EVENT_STOP_DEADLINE"));
    assert.ok(err, "TW_EVENT_STOP_DEADLINE was reported");
    assert.equal((err as { details?: Record<string, unknown> }).details?.inFlight, 1);
  });

  test("the Pending of a dispatch() whose handler never settles is rejected with TW_EVENT_STOP_DEADLINE", async () => {
    const e = new EventEngine({ interval: null, ...quiet });
    e.register("hang", never);
    e.register("hang", () => 1);
    e.start();
    const p = e.dispatch("hang", undefined);
    await sleep(1);
    await e.stop({ deadlineMs: 50 });
    assert.equal(p.settled, true);
    await assert.rejects(p, (err: unknown) => isTickwireError(err, "TW_EVENT_STOP_DEADLINE"));
  });

  test("the Pending of a submit() whose function never settles is rejected with TW_EVENT_STOP_DEADLINE", async () => {
    const e = new EventEngine({ interval: null, ...quiet });
    e.start();
    const p: Pending<never> = e.submit(never);
    await sleep(1);
    await e.stop({ deadlineMs: 50 });
    await assert.rejects(p, (err: unknown) => isTickwireError(err, "TW_EVENT_STOP_DEADLINE"));
  });

  test("after such a stop the next run starts from a clean count: waitForIdle resolves after start()", async () => {
    const e = new EventEngine({ interval: null, ...quiet });
    e.register("hang", never);
    e.register("a", () => {});
    e.start();
    e.put(new Event("hang"));
    await sleep(1);
    await e.stop({ deadlineMs: 50 });
    e.start();
    e.put(new Event("a"));
    const idle = await Promise.race([e.waitForIdle().then(() => "idle"), sleep(1000).then(() => "stuck")]);
    assert.equal(idle, "idle");
    assert.equal(e.stats().inFlight, 0);
    await e.stop();
  });

  test("an abandoned handler that settles during the next run leaves that run's count alone", async () => {
    const e = new EventEngine({ interval: null, ...quiet });
    let release!: () => void;
    const late = new Promise<void>((r) => (release = r));
    e.register("late", () => late);
    let finishCurrent!: () => void;
    e.register("current", () => new Promise<void>((r) => (finishCurrent = r)));
    e.start();
    e.put(new Event("late"));
    await sleep(1);
    await e.stop({ deadlineMs: 20 });
    e.start();
    e.put(new Event("current"));
    await sleep(1);
    assert.equal(e.stats().inFlight, 1);
    release();
    await sleep(1);
    assert.equal(e.stats().inFlight, 1, "the late settle did not count against this run");
    let idle = false;
    const waiting = e.waitForIdle().then(() => (idle = true));
    await sleep(1);
    assert.equal(idle, false, "the running handler still holds the engine busy");
    finishCurrent();
    await waiting;
    await e.stop();
  });
});
