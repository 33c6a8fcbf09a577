import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { Dealer } from "zeromq";
import { RpcErrorCode } from "../../src/rpc/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { decodeValue, encodeReplyOk } from "../../src/rpc/codec.js";
import { startPair } from "./helpers.js";

const rows = (n: number): Array<{ i: number; s: string; at: Date; u: undefined }> =>
  Array.from({ length: n }, (_, i) => ({ i, s: `row ${i}`, at: new Date(1_700_000_000_000 + i), u: undefined }));

function request(callId: number, name: string): Buffer {
  const nameBytes = Buffer.from(name);
  const head = Buffer.alloc(6);
  head[0] = 0x01;
  head.writeUInt32LE(callId, 1);
  head[5] = nameBytes.length;
  return Buffer.concat([head, nameBytes, Buffer.from([0x90])]); // no arguments
}

describe("RpcServer with large array results", async () => {
  const many = rows(30_000);
  const pair = await startPair({ maxMessageSize: 2 * 1024 * 1024 }, {}, (server) => {
    server.register("many", () => many);
    server.register("tooMany", () => rows(150_000));
    server.register("small", () => "small");
    // The shape of the rpc-service's snapshot: a plain object with long arrays among other fields.
    server.register("snap", () => ({ serverId: "abc", seq: 7, orders: many, gatewayNames: ["SIM"], u: undefined, trades: many.slice(0, 5000) }));
    server.register("shrinking", () => {
      const list = rows(5000);
      setImmediate(() => list.splice(100));
      return list;
    });
  });
  after(() => pair.stop());
  const { client, server } = pair;

  for (const big of ["many", "snap"]) {
    test(`a call behind a large result (${big}) in the same message is answered before that result is encoded`, async () => {
      // One wire message with both requests: the server reads them in one go, so only encoding
      // the large result in slices (yielding in between) lets the small one's reply leave first.
      const dealer = new Dealer({ linger: 0, receiveTimeout: 20_000 });
      dealer.connect(server.repEndpoint);
      try {
        await dealer.send([request(1, big), request(2, "small")]);
        const ids: number[] = [];
        while (ids.length < 2) for (const frame of await dealer.receive()) ids.push(frame.readUInt32LE(1));
        assert.deepEqual(ids, [2, 1]);
      } finally {
        dealer.close();
      }
    });
  }

  test("a large result arrives whole and byte for byte as one encode would write it", async () => {
    const back = await client.call<typeof many>("many");
    assert.deepEqual(back, many);
    const dealer = new Dealer({ linger: 0, receiveTimeout: 20_000 });
    dealer.connect(server.repEndpoint);
    try {
      await dealer.send([request(7, "many")]);
      const [frame] = await dealer.receive();
      assert.ok(frame.equals(encodeReplyOk(7, many)));
      assert.equal((decodeValue(frame.subarray(5)) as unknown[]).length, many.length);
    } finally {
      dealer.close();
    }
  });

  test("a plain-object result holding long arrays arrives byte for byte as one encode would write it", async () => {
    const dealer = new Dealer({ linger: 0, receiveTimeout: 20_000 });
    dealer.connect(server.repEndpoint);
    try {
      await dealer.send([request(8, "snap")]);
      const [frame] = await dealer.receive();
      assert.ok(frame.equals(encodeReplyOk(8, { serverId: "abc", seq: 7, orders: many, gatewayNames: ["SIM"], u: undefined, trades: many.slice(0, 5000) })));
    } finally {
      dealer.close();
    }
  });

  test("an array result cut short after it was returned arrives whole, as it was when returned", async () => {
    const back = await client.call<unknown[]>("shrinking");
    assert.equal(back.length, 5000);
  });

  test("a large result over maxMessageSize is refused with TW_RPC_OVERSIZE and the server keeps serving", async () => {
    await assert.rejects(client.call("tooMany"), (err: unknown) => isTickwireError(err, RpcErrorCode.OVERSIZE));
    assert.equal(await client.call("small"), "small");
  });
});
