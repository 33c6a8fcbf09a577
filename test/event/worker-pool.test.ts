import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { threadId } from "node:worker_threads";
import { WorkerPool } from "../../src/workers/WorkerPool.js";
import { EventEngine } from "../../src/event/EventEngine.js";
import { isTickwireError, TickwireError } from "../../src/event/errors.js";
import type handlers from "../fixtures/calc-handlers.js";

const MODULE = new URL("../fixtures/calc-handlers.ts", import.meta.url);

function code(err: unknown): string | undefined {
  return err instanceof TickwireError ? err.code : undefined;
}

describe("WorkerPool", () => {
  const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 2 });
  after(() => pool.kill());

  test("ready() lists the module's event types and function names", async () => {
    const info = await pool.ready();
    assert.deepEqual(info.events, ["eCalc", "eContext", "eUncloneable", "eRecord", "eSlow"]);
    assert.ok(info.functions.includes("add"));
    assert.ok(info.functions.includes("hash"));
  });

  test("dispatch resolves to the handlers' results in handler order, async handlers awaited", async () => {
    const results = await pool.dispatch("eCalc", 7);
    assert.equal(results.length, 3);
    assert.equal(results[0], 49);
    assert.equal(results[2], 14);
  });

  test("a throwing handler's error takes its slot as an Error with the remote name, message, code and stack", async () => {
    const results = await pool.dispatch("eCalc", 3);
    const err = results[1] as Error & { code?: string };
    assert.ok(err instanceof Error);
    assert.equal(err.name, "PriceError");
    assert.equal(err.message, "bad price 3");
    assert.equal(err.code, "E_PRICE");
    assert.match(err.stack ?? "", /calc-handlers\.ts/);
    assert.equal(results[0], 9);
    assert.equal(results[2], 6);
  });

  test("dispatch of a type with no handlers resolves to an empty list", async () => {
    assert.deepEqual(await pool.dispatch("eNobodyListens", 1), []);
  });

  test("the context given to dispatch reaches the handler as event.context", async () => {
    const [ctx] = await pool.dispatch("eContext", 1, { context: { user: "alice", n: 2 } });
    assert.deepEqual(ctx, { user: "alice", n: 2 });
  });

  test("submit calls a function by name and resolves to its result", async () => {
    assert.equal(await pool.submit("add", 2, 3), 5);
    assert.equal(await pool.submit("addLater", 4, 5), 9);
  });

  test("data that is not plain (a Map, a Date, a class instance) still crosses the thread boundary", async () => {
    class Quote {
      constructor(
        readonly bid: number,
        readonly ask: number,
      ) {}
    }
    const when = new Date(1_700_000_000_000);
    const back = (await pool.submit("echo", { m: new Map([["a", 1]]), when, q: new Quote(1, 2), big: 2n ** 70n })) as {
      m: Map<string, number>;
      when: Date;
      q: { bid: number; ask: number };
      big: bigint;
    };
    assert.deepEqual([...back.m], [["a", 1]]);
    assert.equal(back.when.getTime(), when.getTime());
    assert.deepEqual({ ...back.q }, { bid: 1, ask: 2 });
    assert.equal(back.big, 2n ** 70n);
  });

  test("submit runs in a worker thread, not on the main thread", async () => {
    const id = await pool.submit("threadId");
    assert.notEqual(id, threadId);
  });

  test("tasks given at once run on both threads", async () => {
    const ids = await Promise.all([1, 2, 3, 4].map(() => pool.submit("sleepThenThreadId", 20)));
    assert.equal(new Set(ids).size, 2);
  });

  test("submit with an unknown name rejects with TW_WORKER_UNKNOWN_FUNCTION", async () => {
    const untyped = pool as unknown as WorkerPool;
    await assert.rejects(untyped.submit("nope", 1).wait(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_UNKNOWN_FUNCTION");
      assert.match((err as Error).message, /nope/);
      return true;
    });
  });

  test("a function that throws a TickwireError rejects with the same code and details", async () => {
    await assert.rejects(pool.submit("rejectTyped").wait(), (err: unknown) => {
      assert.ok(isTickwireError(err, "TW_TEST_REFUSED"));
      assert.deepEqual(err.details, { why: "test" });
      return true;
    });
  });

  test("data that cannot be cloned rejects with TW_WORKER_UNCLONEABLE and the pool keeps serving", async () => {
    await assert.rejects(pool.dispatch("eCalc", () => 1).wait(), (err: unknown) => code(err) === "TW_WORKER_UNCLONEABLE");
    assert.equal(await pool.submit("add", 1, 1), 2);
  });

  test("a handler result that cannot be cloned costs only its own slot", async () => {
    const [first, second] = await pool.dispatch("eUncloneable", 1);
    assert.equal(code(first), "TW_WORKER_UNCLONEABLE");
    assert.equal(second, 2);
  });

  test("waitForIdle resolves once every task given has settled", async () => {
    const p1 = pool.submit("sleep", 15);
    const p2 = pool.submit("sleep", 5);
    await pool.waitForIdle();
    assert.ok(p1.settled && p2.settled);
    assert.equal(pool.stats().inFlight, 0);
  });
});

describe("WorkerPool routed from an EventEngine", () => {
  test("an engine routes chosen types to the pool: dispatch on the engine returns the pool's results", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 2 });
    const engine = new EventEngine({ interval: null, onError: () => {} });
    after(async () => {
      await engine.stop();
      await pool.kill();
    });
    engine.start();
    const unroute = engine.route(["eCalc"], pool);
    const [fromPool] = await engine.dispatch("eCalc", 6);
    const results = fromPool as unknown[];
    assert.equal(results[0], 36);
    assert.equal((results[1] as Error).name, "PriceError");
    assert.equal(results[2], 12);
    unroute();
    assert.deepEqual(await engine.dispatch("eCalc", 6), []);
  });
});

describe("WorkerPool crashes", () => {
  const crashes: TickwireError[] = [];
  const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 2, onCrash: (e) => crashes.push(e) });
  after(() => pool.kill());

  test("a worker that calls process.exit fails only its own task with TW_WORKER_CRASHED; the task beside it completes", async () => {
    await pool.ready();
    const beside = pool.submit("sleep", 30);
    const dying = pool.submit("exitNow", 3);
    await assert.rejects(dying.wait(), (err: unknown) => code(err) === "TW_WORKER_CRASHED");
    assert.equal(await beside, 30);
  });

  test("after a crash the pool is back to full strength and keeps serving", async () => {
    await assert.rejects(pool.submit("exitNow", 1).wait(), (err: unknown) => code(err) === "TW_WORKER_CRASHED");
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => pool.submit("add", n, n)));
    assert.deepEqual(results, [2, 4, 6, 8, 10, 12]);
    // The replacement thread takes a moment to start: ask until two tasks land on two threads.
    let distinct = 0;
    for (let i = 0; i < 100 && distinct < 2; i++) {
      distinct = new Set(await Promise.all([1, 2].map(() => pool.submit("sleepThenThreadId", 20)))).size;
    }
    assert.equal(distinct, 2);
    assert.equal(pool.stats().threads, 2);
  });

  test("an exception thrown asynchronously in a worker rejects its task with TW_WORKER_CRASHED and is reported to onCrash", async () => {
    const before = crashes.length;
    await assert.rejects(pool.submit("throwAsync").wait(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_CRASHED");
      assert.match(((err as Error).cause as Error).message, /asynchronous boom/);
      return true;
    });
    assert.equal(crashes.length, before + 1);
    assert.deepEqual(await pool.dispatch("eCalc", 2).then((r) => [r[0], r[2]]), [4, 4]);
  });
});

describe("WorkerPool lifecycle", () => {
  test("close lets the tasks already given finish, then later calls reject with TW_WORKER_CLOSED", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1 });
    const running = pool.submit("sleep", 20);
    const queued = pool.submit("add", 1, 2);
    await pool.stop();
    assert.equal(await running, 20);
    assert.equal(await queued, 3);
    await assert.rejects(pool.submit("add", 1, 1).wait(), (err: unknown) => code(err) === "TW_WORKER_CLOSED");
  });

  test("destroy rejects unfinished tasks with TW_WORKER_CLOSED", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1 });
    await pool.ready();
    const running = pool.submit("sleep", 10_000);
    const queued = pool.submit("add", 1, 2);
    await pool.kill();
    await assert.rejects(running.wait(), (err: unknown) => code(err) === "TW_WORKER_CLOSED");
    await assert.rejects(queued.wait(), (err: unknown) => code(err) === "TW_WORKER_CLOSED");
  });

  test("beyond maxQueue waiting tasks, submit rejects with TW_WORKER_QUEUE_FULL and loses nothing already queued", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1, maxQueue: 1 });
    after(() => pool.kill());
    await pool.ready();
    const running = pool.submit("sleep", 20);
    const queued = pool.submit("add", 2, 2);
    await assert.rejects(pool.submit("add", 3, 3).wait(), (err: unknown) => code(err) === "TW_WORKER_QUEUE_FULL");
    assert.equal(await running, 20);
    assert.equal(await queued, 4);
  });

  test("a module that does not exist makes ready() reject with TW_WORKER_MODULE_LOAD", async () => {
    const pool = new WorkerPool({ module: new URL("../fixtures/no-such-module.ts", import.meta.url), threads: 1 });
    after(() => pool.kill());
    await assert.rejects(pool.ready(), (err: unknown) => code(err) === "TW_WORKER_MODULE_LOAD");
    await assert.rejects(pool.dispatch("eCalc", 1).wait(), (err: unknown) => code(err) === "TW_WORKER_MODULE_LOAD");
  });

  test("a .js URL with no .js file but a .ts next to it loads the .ts (as Subprocess does)", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: new URL("../fixtures/calc-handlers.js", import.meta.url), threads: 1 });
    after(() => pool.destroy());
    assert.ok((await pool.ready()).functions.includes("add"));
    assert.equal(await pool.submit("add", 2, 3), 5);
  });

  test("a module found nowhere: TW_WORKER_MODULE_LOAD names the .js and .ts paths looked for, and no tsx hint", async () => {
    const pool = new WorkerPool({ module: new URL("../fixtures/no-such-module.js", import.meta.url), threads: 1 });
    after(() => pool.destroy());
    await assert.rejects(pool.ready(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_MODULE_LOAD");
      const msg = (err as Error).message;
      assert.match(msg, /looked for \S*no-such-module\.js and \S*no-such-module\.ts/);
      assert.doesNotMatch(msg, /tsx/);
      return true;
    });
  });

  test("a module whose default export is not made with defineHandlers is refused with TW_WORKER_MODULE_LOAD", async () => {
    const pool = new WorkerPool({ module: new URL("../fixtures/not-a-handler-module.ts", import.meta.url), threads: 1 });
    after(() => pool.kill());
    await assert.rejects(pool.ready(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_MODULE_LOAD");
      assert.match((err as Error).message, /defineHandlers/);
      return true;
    });
  });

  test("threads must be a whole number of at least one", () => {
    assert.throws(
      () => new WorkerPool({ module: MODULE, threads: 0 }),
      (err: unknown) => code(err) === "TW_WORKER_BAD_OPTION",
    );
  });
});

// Type-level checks, never run: tsc fails if these stop being errors.
function _submitIsTypedByTheHandlerModule(p: WorkerPool<typeof handlers>): void {
  // @ts-expect-error an argument of the wrong type
  void p.submit("add", "1", 2);
  // @ts-expect-error a name the module does not export
  void p.submit("nope");
  const sum: Promise<number> = p.submit("add", 1, 2).wait();
  void sum;
}
