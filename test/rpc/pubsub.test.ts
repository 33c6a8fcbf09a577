import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { Packr } from "msgpackr";
import { Publisher, Router } from "zeromq";
import { RpcClient, RpcErrorCode } from "../../src/rpc/index.js";
import { PublicationEncoder, encodePublicationBatch } from "../../src/rpc/publicationCodec.js";
import { isTickwireError } from "../../src/event/errors.js";
import { startPair, sleep } from "./helpers.js";
import { until } from "../support/wait.js";

describe("publish and subscribe", async () => {
  const pair = await startPair();
  after(() => pair.stop());
  const { server } = pair;

  async function subscriber(...topics: string[]): Promise<{ client: RpcClient; got: Array<[string, unknown, number]> }> {
    const client = new RpcClient({ heartbeatTolerance: 1000 });
    for (const t of topics) client.subscribeTopic(t);
    const got: Array<[string, unknown, number]> = [];
    client.on("message", (topic, data, seq) => got.push([topic, data, seq]));
    client.start(server.repEndpoint, server.pubEndpoint);
    await client.waitForConnection(10_000);
    return { client, got };
  }

  test("a client receives only topics that start with its subscription", async () => {
    const { client, got } = await subscriber("eTick.");
    try {
      server.publish("eTick.rb2410.SHFE", { p: 1 });
      server.publish("eOrder.SIM.1", { o: 1 });
      server.publish("eTick.IF2409.CFFEX", { p: 2 });
      server.publish("eTick.end", null);
      await until(() => got.length >= 3);
      assert.deepEqual(
        got.map(([t]) => t),
        ["eTick.rb2410.SHFE", "eTick.IF2409.CFFEX", "eTick.end"],
      );
    } finally {
      await client.stop();
    }
  });

  test("filtering happens on the server: unsubscribed topics are never delivered to the client", async () => {
    const { client } = await subscriber("wanted");
    try {
      for (let i = 0; i < 200; i++) server.publish("unwanted", i);
      server.publish("wanted", "x");
      await until(() => client.stats().messages >= 1);
      await sleep(50);
      assert.equal(client.stats().messages, 1);
    } finally {
      await client.stop();
    }
  });

  test("a burst of publications arrives complete and in order, batched on the wire", async () => {
    const { client, got } = await subscriber("burst");
    try {
      const batchesBefore = server.stats().publishBatches;
      const n = 5000;
      for (let i = 0; i < n; i++) server.publish("burst", { i, at: new Date(i) });
      await until(() => got.length >= n);
      assert.deepEqual(
        got.map(([, d]) => (d as { i: number }).i),
        Array.from({ length: n }, (_, i) => i),
      );
      assert.ok((got[10][1] as { at: Date }).at instanceof Date);
      for (let i = 1; i < n; i++) assert.equal(got[i][2], got[i - 1][2] + 1);
      assert.ok(server.stats().publishBatches - batchesBefore < n / 10, "a burst travels in few wire messages");
    } finally {
      await client.stop();
    }
  });

  test("a lone publication is sent at once, in a message of its own", async () => {
    const { client, got } = await subscriber("lone");
    try {
      const before = server.stats().publishBatches;
      server.publish("lone", 1);
      await until(() => got.length === 1);
      assert.equal(server.stats().publishBatches, before + 1);
    } finally {
      await client.stop();
    }
  });

  test("sequence numbers rise by one per publication across topics", async () => {
    const { client, got } = await subscriber("s.");
    try {
      const a = server.publish("s.a", 1);
      const b = server.publish("s.b", 2);
      assert.equal(b, a + 1);
      assert.equal(server.lastSeq, b);
      await until(() => got.length === 2);
      assert.deepEqual(
        got.map(([, , s]) => s),
        [a, b],
      );
    } finally {
      await client.stop();
    }
  });

  test("a listener that throws is reported and the next messages still arrive", async () => {
    const { client, got } = await subscriber("boom");
    const errors: unknown[] = [];
    client.on("messageError", (err) => errors.push(err));
    client.prependListener("message", (_t, data) => {
      if (data === 1) throw new Error("listener failed");
    });
    try {
      server.publish("boom", 1);
      server.publish("boom", 2);
      await until(() => got.length === 2);
      assert.equal(errors.length, 1);
      assert.deepEqual(
        got.map(([, d]) => d),
        [1, 2],
      );
    } finally {
      await client.stop();
    }
  });

  test("publishing on the heartbeat topic is refused", () => {
    assert.throws(
      () => server.publish("\u0000tw.heartbeat", 1),
      (err: unknown) => isTickwireError(err, RpcErrorCode.BAD_ARGUMENT),
    );
  });

  test("data that cannot be encoded is refused with TW_RPC_ENCODE and takes no sequence number", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const before = server.lastSeq;
    assert.throws(
      () => server.publish("x", cyclic),
      (err: unknown) => isTickwireError(err, RpcErrorCode.ENCODE),
    );
    assert.equal(server.lastSeq, before);
  });

  test("a publication over maxMessageSize is refused with TW_RPC_OVERSIZE, takes no sequence number, and the stream goes on", async () => {
    const small = await startPair({ maxMessageSize: 1024 });
    try {
      const got: unknown[] = [];
      small.client.subscribeTopic("big");
      small.client.on("message", (_t, d) => got.push(d));
      const before = small.server.lastSeq;
      assert.throws(
        () => small.server.publish("big", "x".repeat(2000)),
        (err: unknown) => isTickwireError(err, RpcErrorCode.OVERSIZE) && /maxMessageSize/.test((err as Error).message),
      );
      assert.equal(small.server.lastSeq, before);
      // ZeroMQ's SUB joins late: publish until one arrives.
      while (got.length === 0) {
        small.server.publish("big", "fits");
        await sleep(20);
      }
      assert.equal(got[0], "fits");
    } finally {
      await small.stop();
    }
  });

  test("a burst of mixed objects keeps every object's own keys and values", async () => {
    const { client, got } = await subscriber("mixed");
    try {
      const sent = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? { i, kind: "a" } : i % 3 === 1 ? { kind: "b", i, at: new Date(i) } : [i]));
      for (const data of sent) server.publish("mixed", data);
      await until(() => got.length >= sent.length);
      assert.deepEqual(
        got.map(([, d]) => d),
        sent,
      );
    } finally {
      await client.stop();
    }
  });
});

describe("a client reading a hostile publisher", async () => {
  const pub = new Publisher({ linger: 0 });
  await pub.bind("tcp://127.0.0.1:*");
  const router = new Router({ linger: 0 }); // only so the client's request socket has somewhere to connect
  await router.bind("tcp://127.0.0.1:*");
  after(() => {
    pub.close();
    router.close();
  });

  test("unreadable frames and msgpackr records with hostile keys are data or dropped and counted; later publications still arrive", async () => {
    const client = new RpcClient();
    client.subscribeTopic("x");
    const got: unknown[] = [];
    client.on("message", (_topic, data) => got.push(data));
    client.start(router.lastEndpoint!, pub.lastEndpoint!);
    const encoder = new PublicationEncoder();
    let seq = 1;
    const send = (data: unknown): Promise<void> => pub.send(["x", encodePublicationBatch([encoder.encode("x", seq++, data)])]);
    try {
      // A SUB socket joins late: send until the first publication gets through.
      const deadline = Date.now() + 20_000;
      while (got.length === 0 && Date.now() < deadline) {
        await send("hello");
        await sleep(20);
      }
      // Hellos still in flight arrive before this marker (one connection keeps the order).
      await send("warmed up");
      await until(() => got.includes("warmed up"), "the marker after the hellos");
      const before = client.stats().badMessages;
      got.length = 0;
      await pub.send(["x", Buffer.from("not a publications frame")]);
      // A valid frame whose value is a msgpackr record stream with a key that looks like code.
      const records = new Packr({ useRecords: true }).pack(Array.from({ length: 5 }, () => ({ 'a");process.exit(1);//': 1 })));
      const shapes = new Packr({ useRecords: false }).pack([]);
      const items = Buffer.concat([Buffer.from([0xdd, 0, 0, 0, 2, 0xff]), records]);
      const frame = Buffer.concat([Buffer.from([0x04, 0, 0, 0, 0, 0, 0]), Buffer.alloc(4), shapes, items]);
      frame.writeUIntLE(seq++, 1, 6);
      frame.writeUInt32LE(shapes.length, 7);
      await pub.send(["x", frame]);
      await send({ after: true });
      await until(() => got.length >= 2);
      assert.equal(client.stats().badMessages, before + 1);
      const fromRecords = got[0] as Array<Record<string, unknown>>;
      assert.equal(fromRecords.length, 5);
      assert.equal(fromRecords[4]['a");process.exit(1);//'], 1);
      assert.deepEqual(got[1], { after: true });
    } finally {
      await client.stop();
    }
  });
});
