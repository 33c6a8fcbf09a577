import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Blueprint, currentSession, Event, EventEngine, handles, isTickwireError, Pending, session, type Session } from "../../src/event/index.js";

const currentSessionOrNone = (): string => (currentSession() === undefined ? "none" : "some");

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const quiet = { onError: () => {} };

describe("dispatch", () => {
  test("dispatch resolves to the handlers' results in handler order, async ones awaited", async () => {
    const e = new EventEngine({ interval: null });
    e.register("calc", async (ev) => {
      await sleep(10);
      return (ev.data as number) * 2;
    });
    e.register("calc", (ev) => (ev.data as number) + 1);
    e.registerGeneral((ev) => `general:${ev.type}`);
    e.start();
    const results = await e.dispatch("calc", 20);
    await e.stop();
    assert.deepEqual(results, [40, 21, "general:calc"]);
  });

  test("a throwing or rejecting handler's error takes its slot instead of failing the list", async () => {
    const e = new EventEngine({ interval: null, ...quiet });
    e.register("x", () => {
      throw new Error("sync");
    });
    e.register("x", () => "ok");
    e.register("x", async () => {
      throw new TypeError("async");
    });
    e.start();
    const results = await e.dispatch("x", null);
    await e.stop();
    assert.equal(results.length, 3);
    assert.ok(results[0] instanceof Error && results[0].message === "sync");
    assert.equal(results[1], "ok");
    assert.ok(results[2] instanceof TypeError);
  });

  test("dispatch keeps FIFO order with put", async () => {
    const e = new EventEngine({ interval: null });
    const log: number[] = [];
    e.register("n", (ev) => {
      log.push(ev.data as number);
      return ev.data;
    });
    e.start();
    e.put(new Event("n", 1));
    const p = e.dispatch("n", 2);
    e.put(new Event("n", 3));
    assert.deepEqual(await p, [2]);
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(log, [1, 2, 3]);
  });

  test("pending.wait with a timeout rejects with TW_EVENT_PENDING_TIMEOUT and a later wait still gets the result", async () => {
    const e = new EventEngine({ interval: null });
    e.register("slow", async () => {
      await sleep(40);
      return "done";
    });
    e.start();
    const p = e.dispatch("slow", null);
    await assert.rejects(p.wait({ timeout: 5 }), (err: unknown) => isTickwireError(err, "TW_EVENT_PENDING_TIMEOUT"));
    assert.deepEqual(await p.wait({ timeout: 1000 }), ["done"]);
    assert.ok(p.fulfilled);
    assert.deepEqual(p.value, ["done"]);
    await e.stop();
  });

  test("a Pending settles its awaiters even when an onSettled listener throws", async () => {
    const p = new Pending<number>();
    p.onSettled(() => {
      throw new Error("listener failed");
    });
    const awaited = p.then((v) => v);
    assert.throws(() => p.resolve(7), /listener failed/);
    assert.equal(await awaited, 7);
  });

  test("dispatch on a full queue rejects its Pending with TW_EVENT_QUEUE_FULL", async () => {
    const e = new EventEngine({ interval: null, maxQueue: 1 });
    e.put(new Event("a"));
    const p = e.dispatch("a", null);
    await assert.rejects(p, (err: unknown) => isTickwireError(err, "TW_EVENT_QUEUE_FULL"));
  });

  test("waitForIdle also waits for async handlers started by dispatch", async () => {
    const e = new EventEngine({ interval: null });
    let done = false;
    e.register("a", async () => {
      await sleep(20);
      done = true;
    });
    e.start();
    void e.dispatch("a", null);
    await e.waitForIdle();
    assert.equal(done, true);
    await e.stop();
  });
});

describe("submit", () => {
  test("submit runs a function in FIFO order with events and returns a Pending of its result", async () => {
    const e = new EventEngine({ interval: null });
    const log: string[] = [];
    e.register("a", (ev) => void log.push(`event:${ev.data}`));
    e.start();
    e.put(new Event("a", 1));
    const p = e.submit(
      (x: number, y: number) => {
        log.push("fn");
        return x + y;
      },
      2,
      3,
    );
    e.put(new Event("a", 2));
    assert.ok(p instanceof Pending);
    assert.equal(await p, 5);
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(log, ["event:1", "fn", "event:2"]);
  });

  test("a submitted function that throws or rejects rejects its Pending and the engine keeps going", async () => {
    const e = new EventEngine({ interval: null });
    e.start();
    await assert.rejects(
      e.submit(() => {
        throw new Error("nope");
      }),
      /nope/,
    );
    await assert.rejects(
      e.submit(async () => {
        throw new Error("later");
      }),
      /later/,
    );
    assert.equal(await e.submit(async () => "fine"), "fine");
    await e.stop();
  });
});

describe("session context", () => {
  test("inside a handler and after an await, session() gives the engine, the event and the merged context", async () => {
    const e = new EventEngine({ interval: null, name: "main", context: { account: "A1", region: "cn" } });
    const seen: Array<{ before: Session; after: Session }> = [];
    e.register("order", async () => {
      const before = session();
      await sleep(5);
      const after = session();
      seen.push({ before, after });
    });
    e.start();
    await Promise.all([e.dispatch("order", 1, { context: { user: "alice", region: "eu" } }), e.dispatch("order", 2, { context: { user: "bob" } })]);
    await e.stop();
    assert.equal(seen.length, 2);
    const byUser = Object.fromEntries(seen.map((s) => [s.after.context.user, s]));
    assert.equal(byUser.alice.after.engine.name, "main");
    assert.equal(byUser.alice.after.event.data, 1);
    assert.deepEqual(byUser.alice.after.context, { account: "A1", region: "eu", user: "alice" });
    assert.deepEqual(byUser.bob.after.context, { account: "A1", region: "cn", user: "bob" });
    assert.equal(byUser.bob.before.event.data, 2);
  });

  test("with asyncContext, session() works after an await for plain put events too", async () => {
    const e = new EventEngine({ interval: null, asyncContext: true, context: { k: 1 } });
    const got: unknown[] = [];
    e.register("a", async (ev) => {
      await sleep(2);
      got.push(session().event.data === ev.data && session().context.k);
    });
    e.start();
    e.put(new Event("a", "x"));
    e.put(new Event("a", "y"));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(got, [1, 1]);
  });

  test("frames never leak: after an await, a plain event queued behind dispatched ones has no session, each dispatched one its own", async () => {
    const e = new EventEngine({ interval: null });
    const got: string[] = [];
    e.register("d", async (ev) => {
      await sleep(2);
      got.push(`d${String(ev.data)}:${String(session().event.data)}`);
    });
    e.register("p", async () => {
      await sleep(2);
      got.push(`p:${currentSessionOrNone()}`);
    });
    e.dispatch("d", 1);
    e.dispatch("d", 2);
    e.put(new Event("p"));
    e.dispatch("d", 3);
    e.start();
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(got.sort(), ["d1:1", "d2:2", "d3:3", "p:none"]);
  });

  test("frames never leak into the next batch: a plain event put by a timer after a dispatch has no session after its await", async () => {
    const e = new EventEngine({ interval: null });
    const seen: string[] = [];
    // A dispatched event's handler puts synchronously (so the next drain is scheduled from inside
    // its frame) and a timer puts a plain event that the next drain handles.
    e.register("order", () => {
      e.put(new Event("audit"));
      setTimeout(() => e.put(new Event("tick")), 0);
      return "ok";
    });
    e.register("audit", () => {});
    e.register("tick", async () => {
      await sleep(1);
      seen.push(currentSessionOrNone());
    });
    e.start();
    await e.dispatch("order", 1);
    await sleep(30);
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(seen, ["none"]);
  });

  test("session() in the synchronous part of a plain handler works; outside a handler it throws TW_EVENT_NO_SESSION", async () => {
    const e = new EventEngine({ interval: null });
    let type = "";
    e.register("a", () => void (type = session().event.type));
    e.start();
    e.put(new Event("a"));
    await e.waitForIdle();
    await e.stop();
    assert.equal(type, "a");
    assert.throws(
      () => session(),
      (err: unknown) => isTickwireError(err, "TW_EVENT_NO_SESSION"),
    );
  });

  test("submit runs its function inside a session with the engine's context", async () => {
    const e = new EventEngine({ interval: null, context: { desk: "futures" } });
    e.start();
    const ctx = await e.submit(async () => {
      await sleep(1);
      return session().context;
    });
    await e.stop();
    assert.deepEqual(ctx, { desk: "futures" });
  });
});

describe("blueprints", () => {
  test("a blueprint's handlers are mounted at once and unmounted together", async () => {
    const bp = new Blueprint<{ tick: number; order: string }>("strategy");
    const log: string[] = [];
    bp.on("tick", (ev) => void log.push(`tick:${ev.data}`)).on("order", (ev) => void log.push(`order:${ev.data}`));
    bp.onAny((ev) => void log.push(`any:${ev.type}`));
    const e = new EventEngine({ interval: null });
    e.mount(bp);
    e.mount(bp); // mounting twice is a no-op
    e.start();
    e.put(new Event("tick", 1));
    e.put(new Event("order", "o1"));
    await e.waitForIdle();
    e.unmount(bp);
    e.put(new Event("tick", 2));
    await e.waitForIdle();
    await e.stop();
    assert.deepEqual(log, ["tick:1", "any:tick", "order:o1", "any:order"]);
    assert.deepEqual(e.types(), []);
  });

  test("one blueprint can be mounted on two engines", async () => {
    let n = 0;
    const bp = new Blueprint().on("a", () => void n++);
    const e1 = new EventEngine({ interval: null });
    const e2 = new EventEngine({ interval: null });
    e1.mount(bp);
    e2.mount(bp);
    e1.start();
    e2.start();
    e1.put(new Event("a"));
    e2.put(new Event("a"));
    await Promise.all([e1.waitForIdle(), e2.waitForIdle()]);
    await Promise.all([e1.stop(), e2.stop()]);
    assert.equal(n, 2);
  });
});

describe("listen", () => {
  test("listen forwards only the allowed types, with the origin in the context, until stopped", async () => {
    const market = new EventEngine({ interval: null, name: "market" });
    const strategy = new EventEngine({ interval: null, name: "strategy" });
    const got: Array<{ type: string; data: unknown; origin: unknown }> = [];
    strategy.registerGeneral((ev) => void got.push({ type: ev.type, data: ev.data, origin: ev.context?.origin }));
    const stop = strategy.listen(market, { allow: ["eTick."] });
    market.start();
    strategy.start();
    market.put(new Event("eTick.", 1));
    market.put(new Event("eOrder.", 2));
    await market.waitForIdle();
    await strategy.waitForIdle();
    stop();
    market.put(new Event("eTick.", 3));
    await market.waitForIdle();
    await strategy.waitForIdle();
    await Promise.all([market.stop(), strategy.stop()]);
    assert.deepEqual(got, [{ type: "eTick.", data: 1, origin: "market" }]);
  });

  test("two engines listening to each other never loop", async () => {
    const a = new EventEngine({ interval: null, name: "a" });
    const b = new EventEngine({ interval: null, name: "b" });
    let onA = 0;
    let onB = 0;
    a.register("ping", () => void onA++);
    b.register("ping", () => void onB++);
    a.listen(b);
    b.listen(a);
    a.start();
    b.start();
    a.put(new Event("ping"));
    b.put(new Event("ping"));
    for (let i = 0; i < 5; i++) {
      await a.waitForIdle();
      await b.waitForIdle();
      await sleep(2);
    }
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(onA, 2);
    assert.equal(onB, 2);
  });
});

describe("route", () => {
  test("route sends chosen types to a remote dispatcher and its results come back through dispatch", async () => {
    const e = new EventEngine({ interval: null });
    const remote = {
      dispatch: async (type: string, data: unknown) => [`${type}:${String(data)}`],
    };
    const unroute = e.route(["heavy"], remote);
    e.start();
    assert.deepEqual(await e.dispatch("heavy", 7), [["heavy:7"]]);
    unroute();
    assert.deepEqual(await e.dispatch("heavy", 8), []);
    await e.stop();
  });
});

describe("decorated handlers", () => {
  test("methods marked @handles become a blueprint bound to their instance", async () => {
    class Strategy {
      seen: string[] = [];
      constructor(readonly id: string) {}
      @handles("tick") onTick(e: Event) {
        this.seen.push(`${this.id}:tick:${String(e.data)}`);
      }
      @handles() onEvery(e: Event) {
        this.seen.push(`${this.id}:any:${e.type}`);
      }
      notAHandler() {
        this.seen.push("never");
      }
    }
    const a = new Strategy("a");
    const b = new Strategy("b");
    const e = new EventEngine({ interval: null });
    const bpA = Blueprint.from(a);
    e.mount(bpA);
    e.mount(Blueprint.from(b));
    e.start();
    e.put(new Event("tick", 1));
    await e.waitForIdle();
    e.unmount(bpA);
    e.put(new Event("tick", 2));
    await e.waitForIdle();
    await e.stop();
    assert.equal(bpA.name, "Strategy");
    assert.deepEqual(a.seen, ["a:tick:1", "a:any:tick"]);
    assert.deepEqual(b.seen, ["b:tick:1", "b:any:tick", "b:tick:2", "b:any:tick"]);
  });
});
