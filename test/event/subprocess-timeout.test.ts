import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { Subprocess, type SubprocessExit } from "../../src/workers/Subprocess.js";
import { TickwireError } from "../../src/event/errors.js";
import type handlers from "../fixtures/looping-handlers.js";

const MODULE = new URL("../fixtures/looping-handlers.ts", import.meta.url);
// Without timeouts these tests would hang for ever: end them as failures instead.
const SAFETY = { timeout: 60_000 };

function code(err: unknown): string | undefined {
  return err instanceof TickwireError ? err.code : undefined;
}

const timedOut = (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_TIMEOUT";

const started: Subprocess[] = [];
after(async () => {
  for (const s of started) s.kill("SIGKILL");
});

function subprocess(options: { requestTimeoutMs?: number; onExit?: (exit: SubprocessExit) => void } = {}): Subprocess<typeof handlers> {
  const sub = new Subprocess<typeof handlers>({ module: MODULE, ...options });
  started.push(sub);
  return sub;
}

describe("Subprocess request timeouts", SAFETY, () => {
  test("a request that loops for ever rejects with TW_WORKER_SUBPROCESS_TIMEOUT; a new child serves the next request and the Subprocess has not exited", async () => {
    const exits: SubprocessExit[] = [];
    const sub = subprocess({ onExit: (e) => exits.push(e) });
    await sub.ready();
    const firstPid = await sub.submit("pid");
    assert.equal(await sub.submit("count"), 1);
    await assert.rejects(sub.submitWith({ timeoutMs: 300 }, "spin").wait(), (err: unknown) => {
      assert.ok(timedOut(err));
      assert.match((err as Error).message, /300 ms/);
      assert.deepEqual((err as TickwireError).details, { timeoutMs: 300, pid: firstPid });
      return true;
    });
    assert.equal(await sub.submit("add", 1, 2), 3);
    assert.notEqual(await sub.submit("pid"), firstPid);
    assert.equal(sub.pid, await sub.submit("pid"));
    assert.equal(await sub.submit("count"), 1, "the new child's module state starts afresh");
    assert.deepEqual(exits, []);
    assert.deepEqual({ timedOut: sub.stats().timedOut, restarts: sub.stats().restarts }, { timedOut: 1, restarts: 1 });
    const exit = await sub.stop();
    assert.deepEqual(exit, { code: 0, signal: null, expected: true });
    assert.equal(exits.length, 1);
  });

  test("requests the killed child still held reject with TW_WORKER_SUBPROCESS_EXITED, marked as a restart", async () => {
    const sub = subprocess();
    await sub.ready();
    const stuck = sub.submitWith({ timeoutMs: 300 }, "spin");
    const behind = sub.submit("add", 1, 1); // same batch, queued behind the loop in the child's engine
    await assert.rejects(stuck.wait(), timedOut);
    await assert.rejects(behind.wait(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_SUBPROCESS_EXITED");
      assert.equal((err as TickwireError).details?.restarted, true);
      assert.equal(code((err as Error).cause), "TW_WORKER_SUBPROCESS_TIMEOUT");
      return true;
    });
    assert.equal(await sub.submit("add", 2, 2), 4);
  });

  test("the requestTimeoutMs default applies to dispatch and submit; a call's timeoutMs overrides it", async () => {
    const sub = subprocess({ requestTimeoutMs: 300 });
    await sub.ready();
    await assert.rejects(sub.dispatch("eSpin", 1).wait(), timedOut);
    await assert.rejects(sub.submit("spin").wait(), timedOut);
    assert.deepEqual(await sub.dispatch("eDouble", 4, { timeoutMs: Infinity }), [8]);
    assert.equal(await sub.submitWith({ timeoutMs: 10_000 }, "sleep", 600), 600);
    assert.equal(sub.stats().restarts, 2);
  });

  test("a request whose promise never settles times out too", async () => {
    const sub = subprocess();
    await assert.rejects(sub.submitWith({ timeoutMs: 200 }, "hang").wait(), timedOut);
    assert.equal(await sub.submit("add", 5, 5), 10);
  });

  test("requests made while the new child starts wait for it and are answered by it", async () => {
    const sub = subprocess();
    await sub.ready();
    const stuck = sub.submitWith({ timeoutMs: 200 }, "spin");
    await assert.rejects(stuck.wait(), timedOut);
    // The replacement is loading now: these are held and sent once it is ready.
    const answers = await Promise.all([sub.submit("add", 1, 2), sub.submitWith({ timeoutMs: 10_000 }, "add", 3, 4)]);
    assert.deepEqual(answers, [3, 7]);
    await sub.ready();
  });

  test("a timeout that is not a number of milliseconds > 0 is refused with TW_WORKER_BAD_OPTION", async () => {
    assert.throws(() => subprocess({ requestTimeoutMs: -5 }), { code: "TW_WORKER_BAD_OPTION" });
    const sub = subprocess();
    await assert.rejects(sub.submitWith({ timeoutMs: 0 }, "add", 1, 1).wait(), (err: unknown) => code(err) === "TW_WORKER_BAD_OPTION");
    await sub.shutdown(); // shutdown(): the deprecated name of stop(), still kept
  });
});
