import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { Subprocess, type SubprocessExit } from "../../src/workers/Subprocess.js";
import { EventEngine } from "../../src/event/EventEngine.js";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { isTickwireError, TickwireError } from "../../src/event/errors.js";
import type handlers from "../fixtures/calc-handlers.js";

const MODULE = new URL("../fixtures/calc-handlers.ts", import.meta.url);

function code(err: unknown): string | undefined {
  return err instanceof TickwireError ? err.code : undefined;
}

describe("Subprocess", () => {
  const handlerErrors: Array<{ error: Error; type: string; handler: string }> = [];
  const sub = new Subprocess<typeof handlers>({
    module: MODULE,
    onHandlerError: (error, info) => handlerErrors.push({ error, ...info }),
  });
  after(() => sub.stop());

  test("ready() lists the module's event types and function names", async () => {
    const info = await sub.ready();
    assert.ok(info.events.includes("eCalc"));
    assert.ok(info.functions.includes("add"));
  });

  test("submit runs a function by name in the child process and resolves to its result", async () => {
    assert.equal(await sub.submit("add", 20, 22), 42);
    assert.equal(await sub.submit("addLater", 1, 2), 3);
    const childPid = await sub.submit("pid");
    assert.equal(childPid, sub.pid);
    assert.notEqual(childPid, process.pid);
  });

  test("dispatch resolves to the handlers' results in handler order, a throwing handler's error in its slot", async () => {
    const results = await sub.dispatch("eCalc", 5);
    assert.equal(results.length, 3);
    assert.equal(results[0], 25);
    assert.equal(results[2], 10);
    const err = results[1] as Error & { code?: string };
    assert.ok(err instanceof Error);
    assert.equal(err.name, "PriceError");
    assert.equal(err.message, "bad price 5");
    assert.equal(err.code, "E_PRICE");
    assert.match(err.stack ?? "", /calc-handlers\.ts/);
  });

  test("the context given to dispatch reaches the handler in the child", async () => {
    const [ctx] = await sub.dispatch("eContext", 1, { context: { desk: "rates" } });
    assert.deepEqual(ctx, { desk: "rates" });
  });

  test("submit with an unknown name rejects with TW_WORKER_UNKNOWN_FUNCTION", async () => {
    const untyped = sub as unknown as Subprocess;
    await assert.rejects(untyped.submit("nope").wait(), (err: unknown) => code(err) === "TW_WORKER_UNKNOWN_FUNCTION");
  });

  test("a function that throws a TickwireError rejects with the same code and details", async () => {
    await assert.rejects(sub.submit("rejectTyped").wait(), (err: unknown) => {
      assert.ok(isTickwireError(err, "TW_TEST_REFUSED"));
      assert.deepEqual(err.details, { why: "test" });
      return true;
    });
  });

  test("put is fire-and-forget; waitForIdle resolves after the child's engine handled everything put", async () => {
    for (let i = 1; i <= 20; i++) sub.put("eRecord", i);
    await sub.waitForIdle();
    const seen = await sub.submit("recorded");
    assert.deepEqual(
      seen.slice(-20),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  test("a handler error from a put event is reported to onHandlerError with its type and remote error", async () => {
    sub.put("eRecord", -1);
    await sub.waitForIdle();
    await sub.submit("recorded"); // the report travels with the results that follow it
    const report = handlerErrors.find((r) => r.type === "eRecord");
    assert.ok(report);
    assert.equal(report.handler, "record");
    assert.equal(report.error.name, "RangeError");
    assert.equal(report.error.message, "negative -1");
  });

  test("an engine routes chosen types to the child: dispatch on the engine returns the child's results", async () => {
    const engine = new EventEngine({ interval: null, onError: () => {} });
    engine.start();
    after(() => engine.stop());
    engine.route(["eCalc"], sub);
    const [fromChild] = await engine.dispatch("eCalc", 3);
    const results = fromChild as unknown[];
    assert.equal(results[0], 9);
    assert.equal((results[1] as Error).message, "bad price 3");
    assert.equal(results[2], 6);
  });

  test("requests made in the same tick travel to the child in one IPC message", async () => {
    await sub.ready();
    const before = sub.stats().batches;
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => sub.submit("add", i, 1)));
    assert.deepEqual(
      results,
      Array.from({ length: 64 }, (_, i) => i + 1),
    );
    assert.equal(sub.stats().batches - before, 1);
  });

  test("a burst of 10,000 requests in one tick is cut into messages of at most 4096 requests and all resolve", async () => {
    await sub.ready();
    const before = sub.stats().batches;
    const results = await Promise.all(Array.from({ length: 10_000 }, (_, i) => sub.submit("add", i, 0)));
    assert.equal(sub.stats().batches - before, 3);
    assert.ok(results.every((v, i) => v === i));
  });

  test("data that cannot be cloned rejects only its own request with TW_WORKER_SUBPROCESS_UNCLONEABLE", async () => {
    const bad = sub.submit("add", (() => 1) as unknown as number, 1);
    const good = sub.submit("add", 1, 1);
    await assert.rejects(bad.wait(), (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_UNCLONEABLE");
    assert.equal(await good, 2);
  });

  test("a handler result that cannot be cloned rejects its request with TW_WORKER_SUBPROCESS_UNCLONEABLE and the child keeps serving", async () => {
    await assert.rejects(sub.dispatch("eUncloneable", 1).wait(), (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_UNCLONEABLE");
    assert.equal(await sub.submit("add", 2, 2), 4);
  });
});

describe("Subprocess ending", () => {
  test("shutdown lets requests already sent finish, then the child exits with code 0", async () => {
    const exits: SubprocessExit[] = [];
    const sub = new Subprocess<typeof handlers>({ module: MODULE, onExit: (e) => exits.push(e), onHandlerError: () => {} });
    const slow = sub.submit("sleep", 30);
    const dispatched = sub.dispatch("eCalc", 4);
    const exit = await sub.stop();
    assert.deepEqual(exit, { code: 0, signal: null, expected: true });
    assert.equal(await slow, 30);
    assert.equal((await dispatched)[0], 16);
    assert.deepEqual(exits, [exit]);
  });

  test("after shutdown starts, new requests reject with TW_WORKER_SUBPROCESS_CLOSED and put throws it", async () => {
    const sub = new Subprocess<typeof handlers>({ module: MODULE });
    await sub.ready();
    const ending = sub.stop();
    await assert.rejects(sub.submit("add", 1, 1).wait(), (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_CLOSED");
    assert.throws(
      () => sub.put("eRecord", 1),
      (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_CLOSED",
    );
    assert.equal((await ending).code, 0);
  });

  test("a child killed with SIGKILL rejects every pending result with TW_WORKER_SUBPROCESS_EXITED and reports the exit", async () => {
    const exits: SubprocessExit[] = [];
    const sub = new Subprocess<typeof handlers>({ module: MODULE, onExit: (e) => exits.push(e) });
    await sub.ready();
    const a = sub.submit("sleep", 60_000);
    const b = sub.dispatch("eSlow", 60_000);
    await sub.submit("add", 0, 0); // both requests have reached the child
    process.kill(sub.pid!, "SIGKILL");
    for (const p of [a.wait(), b.wait()]) {
      await assert.rejects(p, (err: unknown) => {
        assert.equal(code(err), "TW_WORKER_SUBPROCESS_EXITED");
        assert.equal((err as TickwireError).details?.signal, "SIGKILL");
        return true;
      });
    }
    const exit = await sub.exited;
    assert.deepEqual(exit, { code: null, signal: "SIGKILL", expected: false });
    assert.deepEqual(exits, [exit]);
    await assert.rejects(sub.submit("add", 1, 1).wait(), (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_EXITED");
    assert.throws(
      () => sub.put("eRecord", 1),
      (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_EXITED",
    );
  });

  test("a child that exits on its own rejects the request in flight with TW_WORKER_SUBPROCESS_EXITED and its exit code", async () => {
    const sub = new Subprocess<typeof handlers>({ module: MODULE });
    await assert.rejects(sub.submit("exitNow", 7).wait(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_SUBPROCESS_EXITED");
      assert.equal((err as TickwireError).details?.code, 7);
      return true;
    });
    assert.deepEqual(await sub.exited, { code: 7, signal: null, expected: false });
  });

  test("a module that cannot be loaded makes ready() reject with TW_WORKER_SUBPROCESS_START and the child exit", async () => {
    const sub = new Subprocess({ module: new URL("../fixtures/not-a-handler-module.ts", import.meta.url) });
    const early = sub.submit("add", 1, 2);
    await assert.rejects(sub.ready(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_SUBPROCESS_START");
      assert.match((err as Error).message, /defineHandlers/);
      return true;
    });
    await assert.rejects(early.wait(), (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_EXITED");
    assert.equal((await sub.exited).code, 1);
  });

  test("a .js URL with no .js file but a .ts next to it loads the .ts (as WorkerPool does)", async () => {
    const sub = new Subprocess<typeof handlers>({ module: new URL("../fixtures/calc-handlers.js", import.meta.url) });
    assert.equal(await sub.submit("add", 2, 3), 5);
    assert.equal((await sub.shutdown()).code, 0);
  });

  test("a module found nowhere: TW_WORKER_SUBPROCESS_START says the .js and .ts paths looked for", async () => {
    const sub = new Subprocess({ module: new URL("../fixtures/no-such-module.js", import.meta.url) });
    await assert.rejects(sub.ready(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_SUBPROCESS_START");
      assert.match((err as Error).message, /looked for \S*no-such-module\.js and \S*no-such-module\.ts/);
      return true;
    });
    assert.equal((await sub.exited).code, 1);
  });

  test("startTimeoutMs must be a positive number of milliseconds or Infinity", async () => {
    for (const bad of [0, -1, Number.NaN, 2 ** 31]) {
      assert.throws(
        () => new Subprocess({ module: MODULE, startTimeoutMs: bad }),
        (err: unknown) => isTickwireError(err, "TW_WORKER_BAD_OPTION"),
      );
    }
    const sub = new Subprocess<typeof handlers>({ module: MODULE, startTimeoutMs: Infinity });
    await sub.ready();
    assert.equal(await sub.submit("add", 1, 2), 3);
    await sub.stop();
  });

  test("a module that never finishes loading is killed after startTimeoutMs: ready() rejects with TW_WORKER_SUBPROCESS_START", async () => {
    const sub = new Subprocess({ module: new URL("../fixtures/hanging-handler-module.ts", import.meta.url), startTimeoutMs: 1500 });
    const early = sub.submit("add", 1, 2);
    await assert.rejects(sub.ready(), (err: unknown) => {
      assert.equal(code(err), "TW_WORKER_SUBPROCESS_START");
      assert.match((err as Error).message, /startTimeoutMs/);
      return true;
    });
    await assert.rejects(
      early.wait(),
      (err: unknown) => code(err) === "TW_WORKER_SUBPROCESS_EXITED" && code((err as Error).cause) === "TW_WORKER_SUBPROCESS_START",
    );
    assert.equal((await sub.exited).signal, "SIGKILL");
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("Subprocess orphans", () => {
  test("a child whose parent is killed exits on its own", async () => {
    const parent = spawn(process.execPath, [...process.execArgv, new URL("../fixtures/subprocess-parent.ts", import.meta.url).pathname], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    after(() => {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill("SIGKILL");
    });
    const [chunk] = (await once(parent.stdout, "data")) as [Buffer];
    const childPid = Number(chunk.toString().trim());
    assert.ok(isAlive(childPid));
    parent.kill("SIGKILL");
    await once(parent, "exit");
    // The child notices its IPC channel closing; allow it up to 20 s (this is a deadline, not a speed check).
    for (let i = 0; i < 400 && isAlive(childPid); i++) await sleep(50);
    const stillAlive = isAlive(childPid);
    if (stillAlive) process.kill(childPid, "SIGKILL");
    assert.equal(stillAlive, false);
  });
});
