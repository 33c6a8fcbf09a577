import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { RemoteError, RpcClient, RpcErrorCode, RpcServer } from "../../src/rpc/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { startPair, sleep } from "./helpers.js";
import { freePorts } from "../support/ports.js";
import { until } from "../support/wait.js";

interface Api {
  add(a: number, b: number): number;
  echo<T>(value: T): T;
  slow(ms: number, tag: string): Promise<string>;
  fail(message: string): never;
}

describe("RpcServer and RpcClient calls", async () => {
  const pair = await startPair({}, {}, (server) => {
    server.register("add", (a: number, b: number) => a + b);
    server.register("echo", (v: unknown) => v);
    server.register(async function slow(ms: number, tag: string) {
      await sleep(ms);
      return tag;
    });
    server.register("fail", (message: string) => {
      const err = new TypeError(message) as TypeError & { code: string };
      err.code = "TW_TEST_FAIL";
      throw err;
    });
    server.register("rejectLater", async () => {
      await sleep(5);
      throw new Error("later");
    });
  });
  after(() => pair.stop());
  const { client, server } = pair;

  test("a call returns the remote function's result", async () => {
    assert.equal(await client.call("add", [2, 3]), 5);
  });

  test("register(fn) registers a named function under its own name", async () => {
    assert.ok(server.functionNames.includes("slow"));
    assert.equal(await client.call("slow", [1, "x"]), "x");
  });

  test("many concurrent calls each get their own reply", async () => {
    const n = 500;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => client.call<number>("add", [i, 1000])));
    assert.deepEqual(
      results,
      Array.from({ length: n }, (_, i) => i + 1000),
    );
  });

  test("a slow async call does not hold up a fast one sent after it", async () => {
    const order: string[] = [];
    const slow = client.call<string>("slow", [300, "slow"]).then((v) => order.push(v));
    const fast = client.call<string>("slow", [0, "fast"]).then((v) => order.push(v));
    await Promise.all([slow, fast]);
    assert.deepEqual(order, ["fast", "slow"]);
  });

  test("Dates, nested objects and Buffers round-trip intact", async () => {
    const value = { at: new Date(1_700_000_000_123), nested: { list: [1, "two", null, true] }, raw: Buffer.from([1, 2, 3]) };
    const back = await client.call<typeof value>("echo", [value]);
    assert.ok(back.at instanceof Date);
    assert.equal(back.at.getTime(), value.at.getTime());
    assert.deepEqual(back.nested, value.nested);
    assert.deepEqual([...back.raw], [1, 2, 3]);
  });

  test("a remote exception comes back as a RemoteError with name, message, code and stack", async () => {
    await assert.rejects(client.call("fail", ["bad input"]), (err: unknown) => {
      assert.ok(err instanceof RemoteError);
      assert.equal(err.code, RpcErrorCode.REMOTE);
      assert.equal(err.remoteName, "TypeError");
      assert.equal(err.remoteMessage, "bad input");
      assert.equal(err.remoteCode, "TW_TEST_FAIL");
      assert.match(err.remoteStack ?? "", /TypeError: bad input/);
      return true;
    });
  });

  test("a rejected async function comes back as a RemoteError", async () => {
    await assert.rejects(client.call("rejectLater"), (err: unknown) => err instanceof RemoteError && err.remoteMessage === "later");
  });

  test("calling an unregistered name rejects with TW_RPC_UNKNOWN_FUNCTION", async () => {
    await assert.rejects(client.call("nope"), (err: unknown) => isTickwireError(err, RpcErrorCode.UNKNOWN_FUNCTION));
  });

  test("__proto__, constructor and toString are unknown functions, not prototype members", async () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      await assert.rejects(client.call(name), (err: unknown) => isTickwireError(err, RpcErrorCode.UNKNOWN_FUNCTION), name);
    }
  });

  test("a timeout rejects with TW_RPC_TIMEOUT and later calls still work", async () => {
    await assert.rejects(client.call("slow", [400, "late"], { timeout: 50 }), (err: unknown) => isTickwireError(err, RpcErrorCode.TIMEOUT));
    assert.equal(await client.call("add", [1, 1]), 2);
    assert.equal(await client.call("echo", ["still fine"]), "still fine");
    await until(() => client.stats().lateReplies >= 1, "the reply of the timed-out call, late");
    assert.equal(await client.call("add", [2, 2]), 4);
  });

  test("the typed proxy calls the server by method name", async () => {
    const api = client.proxy<Api>();
    assert.equal(await api.add(20, 22), 42);
    assert.equal(await api.slow(1, "p"), "p");
    await assert.rejects(api.fail("x"), RemoteError);
  });

  test("awaiting the proxy itself makes no call", async () => {
    const before = client.stats().calls;
    const api = client.proxy<Api>();
    const same = await Promise.resolve(api);
    assert.equal(same, api);
    assert.equal(client.stats().calls, before);
  });

  test("arguments that are not an array are refused before sending", async () => {
    await assert.rejects(client.call("add", 5 as unknown as unknown[]), (err: unknown) => isTickwireError(err, RpcErrorCode.BAD_ARGUMENT));
  });
});

describe("RpcClient lifecycle", () => {
  test("stop() rejects pending calls with TW_RPC_STOPPED and resolves promptly", async () => {
    const pair = await startPair({}, {}, (server) => server.register("hang", () => new Promise(() => undefined)));
    try {
      const call = pair.client.call("hang", [], { timeout: 60_000 });
      const rejected = assert.rejects(call, (err: unknown) => isTickwireError(err, RpcErrorCode.STOPPED));
      await pair.client.stop();
      await rejected;
      assert.equal(pair.client.state, "stopped");
    } finally {
      await pair.stop();
    }
  });

  test("a call on a client that was never started rejects with TW_RPC_STOPPED", async () => {
    const client = new RpcClient();
    await assert.rejects(client.call("x"), (err: unknown) => isTickwireError(err, RpcErrorCode.STOPPED));
  });

  test("a client started before its server gets replies once the server is up", async () => {
    const [rep, pub] = (await freePorts(2)).map((port) => `tcp://127.0.0.1:${port}`);

    const client = new RpcClient({ heartbeatTolerance: 1000 });
    client.start(rep, pub);
    const reply = client.call<number>("add", [1, 2], { timeout: 20_000 });
    const connected = client.waitForConnection(20_000);
    await sleep(200);
    const server = new RpcServer({ heartbeatInterval: 100 });
    server.register("add", (a: number, b: number) => a + b);
    await server.start(rep, pub);
    try {
      await connected;
      assert.equal(await reply, 3);
    } finally {
      await client.stop();
      await server.stop();
    }
  });

  test("a stopped server frees its ports so a new server can bind them", async () => {
    const a = new RpcServer();
    await a.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
    const rep = a.repEndpoint;
    const pub = a.pubEndpoint;
    await a.stop();
    const b = new RpcServer();
    await b.start(rep, pub);
    assert.equal(b.repEndpoint, rep);
    await b.stop();
  });

  test("binding beyond loopback without CURVE is refused", async () => {
    const server = new RpcServer();
    await assert.rejects(server.start("tcp://0.0.0.0:*", "tcp://127.0.0.1:*"), (err: unknown) => isTickwireError(err, RpcErrorCode.INSECURE_BIND));
    assert.equal(server.isActive, false);
  });
});
