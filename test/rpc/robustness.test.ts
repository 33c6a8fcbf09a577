import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { Dealer } from "zeromq";
import { RpcErrorCode } from "../../src/rpc/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { decodeValue, encodeValue } from "../../src/rpc/codec.js";
import { startPair } from "./helpers.js";

/** Sends raw frames with a bare ZeroMQ DEALER and waits for at most one reply. */
async function rawExchange(endpoint: string, frames: Buffer[], wait = 300): Promise<Buffer[] | undefined> {
  const dealer = new Dealer({ linger: 0, receiveTimeout: wait });
  dealer.connect(endpoint);
  try {
    await dealer.send(frames);
    return await dealer.receive();
  } catch {
    return undefined;
  } finally {
    dealer.close();
  }
}

function request(callId: number, name: string, body: Buffer): Buffer {
  const nameBytes = Buffer.from(name);
  const head = Buffer.alloc(6);
  head[0] = 0x01;
  head.writeUInt32LE(callId, 1);
  head[5] = nameBytes.length;
  return Buffer.concat([head, nameBytes, body]);
}

describe("RpcServer under bad input", async () => {
  const pair = await startPair({ maxMessageSize: 64 * 1024 }, { maxMessageSize: 1024 * 1024 }, (server) => {
    server.register("echo", (v: unknown) => v);
    server.register("big", () => "x".repeat(100_000));
    server.register("cyclic", () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    });
  });
  after(() => pair.stop());
  const { client, server } = pair;

  test("random garbage from a raw socket is dropped, counted, and the server keeps serving", async () => {
    const before = server.stats().malformed;
    const reply = await rawExchange(server.repEndpoint, [Buffer.from("not a tickwire request"), Buffer.from([0xff, 0x00])]);
    assert.equal(reply, undefined);
    assert.equal(server.stats().malformed, before + 2);
    assert.equal(await client.call("echo", ["alive"]), "alive");
  });

  test("an empty message from a raw socket is dropped and counted", async () => {
    const before = server.stats().malformed;
    await rawExchange(server.repEndpoint, [Buffer.alloc(0)], 100);
    assert.equal(server.stats().malformed, before + 1);
    assert.equal(await client.call("echo", [1]), 1);
  });

  test("a request whose arguments are not msgpack gets a TW_RPC_BAD_REQUEST reply", async () => {
    const reply = await rawExchange(server.repEndpoint, [request(7, "echo", Buffer.from([0x93, 0x01]))]);
    assert.ok(reply);
    assert.equal(reply[0][0], 0x03);
    assert.equal(reply[0].readUInt32LE(1), 7);
    assert.equal(await client.call("echo", ["ok"]), "ok");
  });

  test("a request whose arguments are not an array gets a TW_RPC_BAD_REQUEST reply", async () => {
    const before = server.stats().badRequests;
    const reply = await rawExchange(server.repEndpoint, [request(8, "echo", encodeValue({ not: "an array" }))]);
    assert.ok(reply);
    assert.equal(reply[0][0], 0x03);
    assert.equal(server.stats().badRequests, before + 1);
  });

  test("an oversize request is refused with TW_RPC_OVERSIZE and the server keeps serving", async () => {
    await assert.rejects(client.call("echo", ["y".repeat(200_000)]), (err: unknown) => isTickwireError(err, RpcErrorCode.OVERSIZE));
    assert.equal(server.stats().oversize, 1);
    assert.equal(await client.call("echo", ["small"]), "small");
  });

  test("an oversize result is refused with TW_RPC_OVERSIZE", async () => {
    await assert.rejects(client.call("big"), (err: unknown) => isTickwireError(err, RpcErrorCode.OVERSIZE));
  });

  test("a result that cannot be encoded rejects with TW_RPC_ENCODE", async () => {
    await assert.rejects(client.call("cyclic"), (err: unknown) => isTickwireError(err, RpcErrorCode.ENCODE));
    assert.equal(await client.call("echo", [3]), 3);
  });

  test("a request far beyond the limit makes ZeroMQ drop that peer while others are served", async () => {
    const huge = request(9, "echo", Buffer.alloc(2 * 1024 * 1024));
    const reply = await rawExchange(server.repEndpoint, [huge], 300);
    assert.equal(reply, undefined);
    assert.equal(await client.call("echo", ["still here"]), "still here");
  });

  test("a request holding a huge BigInt is refused with TW_RPC_BAD_REQUEST and the server keeps serving", async () => {
    const n = 32 * 1024; // ext 32 of type 0x42: msgpackr's BigInt extension
    const ext = Buffer.concat([Buffer.from([0x91, 0xc9, 0, 0, 0, 0, 0x42]), Buffer.alloc(n, 0x5a)]);
    ext.writeUInt32BE(n, 2);
    const before = server.stats().badRequests;
    const reply = await rawExchange(server.repEndpoint, [request(11, "echo", ext)], 5000);
    assert.ok(reply);
    assert.equal(reply[0][0], 0x03);
    assert.equal((decodeValue(reply[0].subarray(5)) as { code: string }).code, RpcErrorCode.BAD_REQUEST);
    assert.equal(server.stats().badRequests, before + 1);
    assert.equal(await client.call("echo", ["next"]), "next");
  });

  test("a __proto__ key in the arguments never reaches a prototype", async () => {
    const back = await client.call<Record<string, unknown>>("echo", [JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')]);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(back.a, 1);
  });
});
