import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { WorkerPool } from "../../src/workers/WorkerPool.js";
import { TickwireError } from "../../src/event/errors.js";
import type handlers from "../fixtures/looping-handlers.js";

const MODULE = new URL("../fixtures/looping-handlers.ts", import.meta.url);
// Without timeouts these tests would hang for ever: end them as failures instead.
const SAFETY = { timeout: 60_000 };

function code(err: unknown): string | undefined {
  return err instanceof TickwireError ? err.code : undefined;
}

const timedOut = (err: unknown) => code(err) === "TW_WORKER_TIMEOUT";

describe("WorkerPool task timeouts", SAFETY, () => {
  test("a task that loops for ever rejects with TW_WORKER_TIMEOUT once past its timeout, and a new thread serves the next call", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1 });
    after(() => pool.kill());
    const stuckThread = await pool.submit("threadId");
    await assert.rejects(pool.submitWith({ timeoutMs: 200 }, "spin").wait(), (err: unknown) => {
      assert.ok(timedOut(err));
      assert.match((err as Error).message, /200 ms/);
      assert.deepEqual((err as TickwireError).details, { timeoutMs: 200 });
      return true;
    });
    assert.equal(await pool.submit("add", 1, 2), 3);
    assert.notEqual(await pool.submit("threadId"), stuckThread);
    assert.equal(pool.stats().timedOut, 1);
  });

  test("with both threads stuck, a later call runs once the stuck tasks time out, and close() resolves", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 2 });
    const stuck = [pool.submitWith({ timeoutMs: 300 }, "spin"), pool.submitWith({ timeoutMs: 300 }, "spin")];
    const later = pool.submit("add", 2, 3);
    for (const s of stuck) await assert.rejects(s.wait(), timedOut);
    assert.equal(await later, 5);
    await pool.stop();
    assert.equal(pool.stats().inFlight, 0);
  });

  test("a task on a healthy thread finishes while the other thread's task is ended, and the ending is not a crash", async () => {
    const crashes: TickwireError[] = [];
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 2, onCrash: (e) => crashes.push(e) });
    after(() => pool.kill());
    await pool.ready();
    const healthy = pool.submit("sleep", 600);
    const stuck = pool.submitWith({ timeoutMs: 100 }, "spin");
    await assert.rejects(stuck.wait(), timedOut);
    assert.equal(await healthy, 600);
    assert.deepEqual(crashes, []);
    assert.equal(pool.stats().crashed, 0);
  });

  test("the clock starts when a thread starts the task: time spent waiting for a thread does not count", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1 });
    after(() => pool.kill());
    await pool.ready();
    const first = pool.submit("sleep", 1500);
    const queued = pool.submitWith({ timeoutMs: 1000 }, "sleep", 1);
    assert.equal(await first, 1500);
    assert.equal(await queued, 1);
  });

  test("a task whose promise never settles times out too", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1 });
    after(() => pool.kill());
    await assert.rejects(pool.submitWith({ timeoutMs: 150 }, "hang").wait(), timedOut);
    assert.equal(await pool.submit("add", 1, 1), 2);
  });

  test("the pool's taskTimeoutMs applies to dispatch and submit; a call's timeoutMs overrides it", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1, taskTimeoutMs: 200 });
    after(() => pool.kill());
    await assert.rejects(pool.dispatch("eSpin", 1).wait(), timedOut);
    await assert.rejects(pool.submit("spin").wait(), timedOut);
    assert.deepEqual(await pool.dispatch("eDouble", 4, { timeoutMs: Infinity }), [8]);
    assert.equal(await pool.submitWith({ timeoutMs: 5000 }, "sleep", 400), 400);
    assert.equal(pool.stats().timedOut, 2);
  });

  test("close({ deadlineMs }) ends a stuck task that has no timeout: it rejects with TW_WORKER_CLOSED and close resolves", async () => {
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1 });
    await pool.ready();
    const stuck = pool.submit("spin");
    await pool.close({ deadlineMs: 200 }); // close(): the deprecated name of stop(), still kept
    await assert.rejects(stuck.wait(), (err: unknown) => code(err) === "TW_WORKER_CLOSED");
  });

  test("a timeout that is not a number of milliseconds > 0 is refused with TW_WORKER_BAD_OPTION", async () => {
    assert.throws(() => new WorkerPool({ module: MODULE, threads: 1, taskTimeoutMs: 0 }), { code: "TW_WORKER_BAD_OPTION" });
    assert.throws(() => new WorkerPool({ module: MODULE, threads: 1, taskTimeoutMs: NaN }), { code: "TW_WORKER_BAD_OPTION" });
    const pool = new WorkerPool<typeof handlers>({ module: MODULE, threads: 1 });
    after(() => pool.kill());
    await assert.rejects(pool.submitWith({ timeoutMs: -1 }, "add", 1, 1).wait(), (err: unknown) => code(err) === "TW_WORKER_BAD_OPTION");
  });
});
