import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { RpcErrorCode, type RpcClient } from "../../src/rpc/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { once, startPair } from "./helpers.js";

// The client's ZeroMQ limit is 4 × maxMessageSize + 1 MiB (1.25 MiB here); the server allows 8 MiB,
// so a 2 MiB message passes the server and makes libzmq end the client's session.
const CLIENT_MAX = 64 * 1024;
const SERVER_MAX = 8 * 1024 * 1024;
const BIG = 2 * 1024 * 1024;

function recordStates(client: RpcClient): string[] {
  const seen: string[] = [];
  client.on("disconnected", (info) => seen.push(`disconnected:${info.reason}`));
  client.on("reconnected", (info) => seen.push(`reconnected:${info.restarted}`));
  return seen;
}

/** Rejects with a clear message instead of hanging when `p` never settles. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const fail = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, fail]).finally(() => clearTimeout(timer));
}

describe("RpcClient when ZeroMQ ends its session", () => {
  test("a reply over the client's ZeroMQ limit fails with TW_RPC_OVERSIZE, then the client reconnects and calls work", async () => {
    const pair = await startPair({ maxMessageSize: SERVER_MAX }, { maxMessageSize: CLIENT_MAX, timeout: 8000 }, (server) => {
      server.register("big", () => Buffer.alloc(BIG));
      server.register("echo", (v: unknown) => v);
    });
    try {
      const { client } = pair;
      const seen = recordStates(client);
      const reconnected = once(client, "reconnected");
      await assert.rejects(client.call("big"), (err: unknown) => isTickwireError(err, RpcErrorCode.OVERSIZE));
      await within(reconnected, 8000, "reconnected");
      assert.deepEqual(seen, ["disconnected:dropped", "reconnected:false"]);
      assert.equal(client.state, "connected");
      assert.equal(await client.call("echo", ["after"]), "after");
    } finally {
      await pair.stop();
    }
  });

  test("calls in flight on the dropped socket fail with it instead of waiting for their timeout", async () => {
    let release: (() => void) | undefined;
    const pair = await startPair({ maxMessageSize: SERVER_MAX }, { maxMessageSize: CLIENT_MAX, timeout: 8000 }, (server) => {
      server.register("big", () => Buffer.alloc(BIG));
      server.register("slow", () => new Promise<string>((resolve) => (release = () => resolve("late"))));
    });
    try {
      const { client, server } = pair;
      const slow = client.call("slow");
      while (server.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 5));
      const big = client.call("big");
      await assert.rejects(big, (err: unknown) => isTickwireError(err, RpcErrorCode.OVERSIZE));
      await assert.rejects(slow, (err: unknown) => isTickwireError(err, RpcErrorCode.OVERSIZE));
      release?.();
    } finally {
      await pair.stop();
    }
  });

  test("a publication over the client's ZeroMQ limit is never delivered, and the stream comes back with reconnected", async () => {
    const pair = await startPair({ maxMessageSize: SERVER_MAX }, { maxMessageSize: CLIENT_MAX });
    try {
      const { client, server } = pair;
      const seen = recordStates(client);
      const got: Array<{ data: unknown; size: number }> = [];
      client.subscribeTopic("t.");
      client.on("message", (_topic, data) => got.push({ data, size: Buffer.isBuffer(data) ? data.length : 0 }));
      // A subscription reaches the server asynchronously: publish until the first one arrives.
      while (got.length === 0) {
        server.publish("t.small", "before");
        await new Promise((r) => setTimeout(r, 20));
      }
      const reconnected = once(client, "reconnected");
      server.publish("t.big", Buffer.alloc(BIG));
      await within(reconnected, 8000, "reconnected");
      const count = got.length;
      while (got.length === count) {
        server.publish("t.small", "after");
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(got.filter((g) => g.size === BIG).length, 0);
      assert.equal(got.at(-1)?.data, "after");
      assert.deepEqual(seen, ["disconnected:dropped", "reconnected:false"]);
    } finally {
      await pair.stop();
    }
  });
});
