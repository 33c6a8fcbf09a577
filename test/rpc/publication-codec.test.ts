import { test, describe, afterEach } from "node:test";
import assert from "node:assert/strict";
import { Packr } from "msgpackr";
import { decodeValue, encodeValue } from "../../src/rpc/codec.js";
import { PublicationDecoder, PublicationEncoder, encodePublicationBatch } from "../../src/rpc/publicationCodec.js";
import { RpcErrorCode } from "../../src/rpc/index.js";
import { isTickwireError } from "../../src/event/errors.js";

/** Encodes `values` as one batch (seqs firstSeq, firstSeq + 1, ...) and decodes it with `decoder`. */
function roundTrip(values: unknown[], firstSeq = 1, encoder = new PublicationEncoder(), decoder = new PublicationDecoder()): Array<[unknown, number]> {
  const frame = encodePublicationBatch(values.map((v, i) => encoder.encode("t", firstSeq + i, v)));
  const out: Array<[unknown, number]> = [];
  assert.equal(
    decoder.decode(frame, (data, seq) => out.push([data, seq])),
    0,
  );
  return out;
}

const tick = (i: number): Record<string, unknown> => ({
  gatewayName: "SIM",
  symbol: "rb2410",
  exchange: "SHFE",
  vtSymbol: "rb2410.SHFE",
  datetime: new Date(1_700_000_000_000 + i),
  lastPrice: 3500 + i,
  volume: 10 * i,
  bidPrice1: 3499,
  askPrice1: 3501,
  extra: undefined,
});

describe("publication frames", () => {
  test("a batch of same-shaped objects round-trips with Dates, undefined values and consecutive sequence numbers", () => {
    const ticks = Array.from({ length: 50 }, (_, i) => tick(i));
    const out = roundTrip(ticks, 1000);
    assert.deepEqual(
      out.map(([d]) => d),
      ticks,
    );
    assert.ok((out[7][0] as { datetime: Date }).datetime instanceof Date);
    assert.deepEqual(
      out.map(([, s]) => s),
      ticks.map((_, i) => 1000 + i),
    );
  });

  test("key names are sent once per batch, not once per object", () => {
    const encoder = new PublicationEncoder();
    const one = encodePublicationBatch([encoder.encode("t", 1, tick(0))]);
    const hundred = encodePublicationBatch(Array.from({ length: 100 }, (_, i) => encoder.encode("t", i + 1, tick(0))));
    const perObjectAlone = encodeValue(tick(0)).length;
    assert.ok(hundred.length < one.length + 99 * (perObjectAlone - "gatewayName".length), `${hundred.length} bytes for 100`);
    assert.equal(hundred.indexOf("gatewayName"), hundred.lastIndexOf("gatewayName"));
  });

  test("mixed data in one batch keeps its order and types: shapes, nested objects, arrays, Buffers, scalars", () => {
    class Order {
      id = 7;
      side = "BUY";
    }
    const inherited = Object.create({ hidden: 1 }) as Record<string, unknown>;
    inherited.own = 2;
    const values: unknown[] = [
      tick(1),
      { orderid: "1", status: "ALLTRADED", nested: { a: [1, 2, { b: new Date(5) }] } },
      tick(2),
      [1, "two", null],
      42,
      "text",
      null,
      Buffer.from([1, 2, 3]),
      new Order(),
      Object.assign(Object.create(null) as object, { x: 1 }),
      {},
      { "0": "numeric key", b: 2 },
    ];
    const out = roundTrip([...values, inherited]).map(([d]) => d);
    assert.deepEqual(out.slice(0, 8), values.slice(0, 8));
    assert.ok(Buffer.isBuffer(out[7]));
    assert.deepEqual(out[8], { id: 7, side: "BUY" });
    assert.deepEqual(out[9], { x: 1 });
    assert.deepEqual(out[10], {});
    assert.deepEqual(out[11], { "0": "numeric key", b: 2 });
    assert.deepEqual(out[12], { own: 2 }, "inherited keys are not sent, as with msgpack maps");
  });

  test("each frame is self-describing: a fresh decoder reads any frame of a stream on its own", () => {
    const encoder = new PublicationEncoder();
    const frames = [0, 1, 2].map((b) => encodePublicationBatch([encoder.encode("t", 10 * b, tick(b)), encoder.encode("t", 10 * b + 1, { other: b })]));
    const late = new PublicationDecoder();
    const got: unknown[] = [];
    late.decode(frames[2], (d) => got.push(d));
    assert.deepEqual(got, [tick(2), { other: 2 }]);
  });

  test("a decoder that switches between frames of different shapes builds each object from its own frame's keys", () => {
    const encoder = new PublicationEncoder();
    const decoder = new PublicationDecoder();
    const inputs = [{ a: 1, b: 2 }, { b: 3, a: 4 }, { a: 5, b: 6 }, { c: 7 }];
    for (const value of inputs) {
      const got: unknown[] = [];
      decoder.decode(encodePublicationBatch([encoder.encode("t", 1, value)]), (d) => got.push(d));
      assert.deepEqual(got, [value]);
      assert.deepEqual(Object.keys(got[0] as object), Object.keys(value));
    }
  });

  test("data that cannot be encoded throws from encode itself", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => new PublicationEncoder().encode("t", 1, cyclic));
  });
});

describe("publication frames from a hostile peer", () => {
  const realFunction = globalThis.Function;
  afterEach(() => {
    globalThis.Function = realFunction;
  });

  test("key names that look like JavaScript come back as plain data", () => {
    const hostile = ['a");process.exit(1);//', "constructor", "}) + globalThis.pwned = 1; ({", "toString", "a b"];
    const obj = Object.fromEntries(hostile.map((k, i) => [k, i]));
    const out = roundTrip(Array.from({ length: 10 }, () => obj)).map(([d]) => d as Record<string, unknown>);
    for (const o of out) {
      assert.deepEqual(Object.keys(o), hostile);
      assert.equal(o['a");process.exit(1);//'], 0);
      assert.equal(Object.getPrototypeOf(o), Object.prototype);
    }
    assert.equal((globalThis as Record<string, unknown>).pwned, undefined);
  });

  test("a __proto__ key is renamed and never reaches a prototype", () => {
    const obj = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
    const out = roundTrip([obj, obj, obj]).map(([d]) => d as Record<string, unknown>);
    for (const o of out) {
      assert.equal(Object.getPrototypeOf(o), Object.prototype);
      assert.deepEqual(o.__proto_, { polluted: true });
      assert.equal((o as { polluted?: unknown }).polluted, undefined);
    }
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });

  test("decoding generates no code: publications and msgpackr records decode with Function disabled", () => {
    let compiled = 0;
    const blocked = function (): never {
      compiled++;
      throw new Error("code generation is not allowed");
    };
    // What a peer can send: msgpackr records (repeated, so msgpackr's regular build would compile a reader for them).
    const records = new Packr({ useRecords: true }).pack(Array.from({ length: 20 }, (_, i) => ({ 'a");process.exit(1);//': i, b: "x" })));
    const frame = encodePublicationBatch(Array.from({ length: 20 }, (_, i) => new PublicationEncoder().encode("t", i + 1, tick(i))));
    globalThis.Function = blocked as unknown as FunctionConstructor;
    const fromRecords = decodeValue(records) as Array<Record<string, unknown>>;
    const got: unknown[] = [];
    new PublicationDecoder().decode(frame, (d) => got.push(d));
    globalThis.Function = realFunction;
    assert.equal(compiled, 0, "no Function was constructed while decoding");
    assert.equal(fromRecords.length, 20);
    assert.equal(fromRecords[19]['a");process.exit(1);//'], 19);
    assert.equal(got.length, 20);
  });

  test("a frame that is not a publications frame throws TW_RPC_BAD_MESSAGE", () => {
    const decoder = new PublicationDecoder();
    const good = encodePublicationBatch([new PublicationEncoder().encode("t", 1, tick(0))]);
    const cases = [
      Buffer.alloc(0),
      Buffer.from("garbage that is long enough"),
      good.subarray(0, good.length - 3),
      Buffer.concat([good.subarray(0, 7), Buffer.from([0xff, 0xff, 0, 0])]),
    ];
    for (const frame of cases) {
      assert.throws(
        () => decoder.decode(frame, () => assert.fail("nothing is delivered from an unreadable frame")),
        (err: unknown) => isTickwireError(err, RpcErrorCode.BAD_MESSAGE),
      );
    }
  });

  test("items with a bad shape reference or the wrong number of values are skipped and counted, the rest delivered", () => {
    const shapes = encodeValue([["a", "b"]]);
    const items = encodeValue([0, [1, 2], 5, [1, 2], 0, [1], 0, "not a row", -1, "raw", 0.5, [1, 2], 0, [3, 4]]);
    const frame = Buffer.concat([Buffer.from([0x04, 9, 0, 0, 0, 0, 0]), Buffer.alloc(4), shapes, items]);
    frame.writeUInt32LE(shapes.length, 7);
    const got: Array<[unknown, number]> = [];
    const bad = new PublicationDecoder().decode(frame, (d, seq) => got.push([d, seq]));
    assert.equal(bad, 4);
    assert.deepEqual(got, [
      [{ a: 1, b: 2 }, 9],
      ["raw", 13],
      [{ a: 3, b: 4 }, 15],
    ]);
  });

  test("a shape that repeats a key name gives one property holding the last value, as a msgpack map would", () => {
    const shapes = encodeValue([["a", "a", "b"]]);
    const items = encodeValue([0, [1, 2, 3]]);
    const frame = Buffer.concat([Buffer.from([0x04, 1, 0, 0, 0, 0, 0]), Buffer.alloc(4), shapes, items]);
    frame.writeUInt32LE(shapes.length, 7);
    const got: unknown[] = [];
    assert.equal(
      new PublicationDecoder().decode(frame, (d) => got.push(d)),
      0,
    );
    assert.deepEqual(got, [{ a: 2, b: 3 }]);
  });

  test("shapes that are not arrays of key names make the frame unreadable", () => {
    for (const shapes of [[[1, 2]], "ab", [{ a: 1 }]]) {
      const s = encodeValue(shapes);
      const frame = Buffer.concat([Buffer.from([0x04, 1, 0, 0, 0, 0, 0]), Buffer.alloc(4), s, encodeValue([-1, 1])]);
      frame.writeUInt32LE(s.length, 7);
      assert.throws(
        () => new PublicationDecoder().decode(frame, () => undefined),
        (err: unknown) => isTickwireError(err, RpcErrorCode.BAD_MESSAGE),
      );
    }
  });
});
