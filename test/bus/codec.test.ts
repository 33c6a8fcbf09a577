import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PassThrough } from "node:stream";
import zlib from "node:zlib";
import { Packr } from "msgpackr";
import { BusEvent, aioquantCodec, msgpackCodec } from "../../src/bus/index.js";
import { decodeBody, codecForContentType } from "../../src/bus/codec.js";
import { OrderbookEvent, AssetEvent, TradingEvents } from "../../src/apps/bus-bridge/index.js";
import { isTickwireError } from "../../src/event/index.js";
import { createAccount, createTick, Exchange, type AccountData, type TickData } from "../../src/trader/index.js";
import { createDeflater, createInflater, MAX_INFLATED_BYTES } from "../../src/bus/zlibContext.js";

const run = promisify(execFile);

/** What Python's json.dumps + zlib.compress (aioquant's Event.dumps) make of `literal` (a Python expression). */
async function pythonDumps(nameLiteral: string, dataLiteral: string): Promise<Buffer> {
  const script = `import zlib, json, sys; sys.stdout.buffer.write(zlib.compress(json.dumps({"n": ${nameLiteral}, "d": ${dataLiteral}}).encode("utf8")))`;
  const { stdout } = await run("python3", ["-c", script], { encoding: "buffer" });
  return stdout;
}

const tick = {
  gatewayName: "SIM",
  symbol: "rb2410",
  exchange: "SHFE",
  datetime: 1717232400000,
  lastPrice: 3456.5,
  volume: 12345,
  bidPrice1: 3456,
  askPrice1: 3457,
  bids: [
    [3456, 10],
    [3455.5, 7],
  ],
  tiny: 0.00001234,
  huge: 1.5e17,
  name: '螺纹钢 "rebar"\n',
  emoji: "📈",
  flag: true,
  nothing: null,
};
const tickPython = `{"gatewayName": "SIM", "symbol": "rb2410", "exchange": "SHFE", "datetime": 1717232400000, "lastPrice": 3456.5, "volume": 12345, "bidPrice1": 3456, "askPrice1": 3457, "bids": [[3456, 10], [3455.5, 7]], "tiny": 0.00001234, "huge": 1.5e17, "name": "\\u87ba\\u7eb9\\u94a2 \\"rebar\\"\\n", "emoji": "\\U0001f4c8", "flag": True, "nothing": None}`;

describe("aioquant codec", () => {
  test("a payload made by Python's json.dumps and zlib.compress decodes to the same event", async () => {
    const body = await pythonDumps('"EVENT_ORDERBOOK"', tickPython);
    const event = BusEvent.decode(body, { exchange: "Orderbook", routingKey: "SIM.rb2410" });
    assert.equal(event.name, "EVENT_ORDERBOOK");
    assert.equal(event.exchange, "Orderbook");
    assert.equal(event.routingKey, "SIM.rb2410");
    assert.deepEqual(event.data, tick);
  });

  test("our payload holds byte for byte the JSON text Python's json.dumps writes, and Python's decoder reads it", async () => {
    const ours = OrderbookEvent.create(tick).encode(aioquantCodec);
    const theirs = await pythonDumps('"EVENT_ORDERBOOK"', tickPython);
    // Compressed bytes depend on the zlib build (Node bundles Chromium's), the text inside must not.
    assert.equal(zlib.inflateSync(ours).toString("latin1"), zlib.inflateSync(theirs).toString("latin1"));
    const child = execFile("python3", ["-c", "import zlib, json, sys; e = json.loads(zlib.decompress(sys.stdin.buffer.read())); print(json.dumps(e))"]);
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    child.stdin!.end(ours);
    await new Promise((resolve) => child.on("close", resolve));
    assert.equal(out.trim(), zlib.inflateSync(theirs).toString());
  });

  test("floats are written the way Python's repr writes them", async () => {
    const values = [0.1, 1e-5, 1.5e-7, 123456.789, 1e16, 2.5e21, -0.0001, 1e-4, 33.3];
    const ours = aioquantCodec.encode({ name: "f", data: values });
    const theirs = await pythonDumps('"f"', `[${values.map((v) => (v === 1e16 ? "1e16" : String(v))).join(", ")}]`);
    assert.equal(zlib.inflateSync(ours).toString(), zlib.inflateSync(theirs).toString());
  });

  test("keys and strings that need escaping are written as Python writes them (and plain ones as they are)", async () => {
    const data = {
      plain: "SIM.rb2410 ~!@#$%^&*()_+{}|:<>?`-=[];',./",
      'quote"key': 'back\\slash "q"',
      é: "\u007f\u0000\t\u2028",
      "\n": ["💹", "", "a/b"],
      "": { nested: "x" },
    };
    const py = `{"plain": "SIM.rb2410 ~!@#$%^&*()_+{}|:<>?\`-=[];',./", "quote\\"key": "back\\\\slash \\"q\\"", "\\u00e9": "\\x7f\\x00\\t\\u2028", "\\n": ["\\U0001f4b9", "", "a/b"], "": {"nested": "x"}}`;
    const theirs = await pythonDumps('"s"', py);
    for (let i = 0; i < 2; i++) {
      // twice: the second time the key texts come from the cache
      const ours = aioquantCodec.encode({ name: "s", data });
      assert.equal(zlib.inflateSync(ours).toString("latin1"), zlib.inflateSync(theirs).toString("latin1"));
    }
  });

  test("NaN and Infinity written by Python decode to NaN and Infinity", async () => {
    const body = await pythonDumps('"x"', '{"a": float("nan"), "b": float("inf"), "c": float("-inf"), "s": "NaN Infinity"}');
    const { data } = aioquantCodec.decode(body) as { data: { a: number; b: number; c: number; s: string } };
    assert.ok(Number.isNaN(data.a));
    assert.equal(data.b, Infinity);
    assert.equal(data.c, -Infinity);
    assert.equal(data.s, "NaN Infinity");
  });

  test("uncompressed JSON (TheNextQuant's older format) decodes too", () => {
    const { name, data } = aioquantCodec.decode(Buffer.from('{"n": "EVENT_KLINE", "d": {"c": 1.5}}'));
    assert.equal(name, "EVENT_KLINE");
    assert.deepEqual(data, { c: 1.5 });
  });

  test("a large payload round-trips through the reused compressor", () => {
    const data = { rows: Array.from({ length: 5000 }, (_, i) => ({ i, p: i / 7 })) };
    const body = aioquantCodec.encode({ name: "big", data });
    assert.ok(body.equals(zlib.deflateSync(Buffer.from(zlib.inflateSync(body)))));
    assert.deepEqual(aioquantCodec.decode(body).data, data);
  });

  test("bytes that are not zlib+JSON are refused with TW_BUS_DECODE, and decoding goes on working", () => {
    for (const junk of [Buffer.from("not zlib at all"), zlib.deflateSync(Buffer.from("{broken json")), zlib.deflateSync(Buffer.from("[1, 2]"))]) {
      assert.throws(
        () => aioquantCodec.decode(junk),
        (e: unknown) => isTickwireError(e, "TW_BUS_DECODE"),
      );
    }
    assert.equal(aioquantCodec.decode(aioquantCodec.encode({ name: "ok", data: 1 })).name, "ok");
  });

  test("data that cannot be written as JSON is refused with TW_BUS_ENCODE", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(
      () => aioquantCodec.encode({ name: "x", data: cyclic }),
      (e: unknown) => isTickwireError(e, "TW_BUS_ENCODE"),
    );
  });
});

describe("reused zlib state and its fallback", () => {
  const samples = [Buffer.alloc(0), Buffer.from('{"n": "EVENT_ORDERBOOK", "d": {"p": 3456.5}}'), Buffer.from("x".repeat(100_000))];

  test("on this Node version the codec reuses one zlib state (the internals it drives are where it expects them)", () => {
    assert.equal(createDeflater().reusesState, true);
    assert.equal(createInflater().reusesState, true);
  });

  test("a stream without Node's native handle makes the deflater fall back to deflateSync, with the same bytes", () => {
    const deflate = createDeflater(() => new PassThrough() as unknown as zlib.Deflate);
    assert.equal(deflate.reusesState, false);
    for (const s of samples) assert.ok(deflate(s).equals(zlib.deflateSync(s)));
  });

  test("a reused state that writes other bytes than deflateSync fails the self-check and is not used", () => {
    const deflate = createDeflater(() => zlib.createDeflate({ level: 1 }));
    assert.equal(deflate.reusesState, false);
    for (const s of samples) assert.ok(deflate(s).equals(zlib.deflateSync(s)));
  });

  test("an inflater whose reused state cannot read zlib streams falls back to inflateSync, and still refuses bad input", () => {
    const inflate = createInflater(() => zlib.createInflateRaw());
    assert.equal(inflate.reusesState, false);
    for (const s of samples) assert.ok(inflate(zlib.deflateSync(s)).equals(s));
    assert.throws(() => inflate(Buffer.from("not zlib")));
  });

  test("a payload that inflates past MAX_INFLATED_BYTES is refused by the reused state and by the fallback", () => {
    const bomb = zlib.deflateSync(Buffer.alloc(MAX_INFLATED_BYTES + 1));
    assert.throws(
      () => aioquantCodec.decode(bomb),
      (e: unknown) => isTickwireError(e, "TW_BUS_DECODE"),
    );
    assert.throws(() => createInflater(() => zlib.createInflateRaw())(bomb), RangeError);
    assert.deepEqual(aioquantCodec.decode(aioquantCodec.encode({ name: "ok", data: 1 })), { name: "ok", data: 1 });
  });
});

describe("msgpack codec", () => {
  test("an event round-trips through msgpack and is chosen by its content type", () => {
    const body = msgpackCodec.encode({ name: "EVENT_ORDERBOOK", data: tick });
    assert.equal(codecForContentType(msgpackCodec.contentType), msgpackCodec);
    assert.deepEqual(decodeBody(body, msgpackCodec.contentType), { name: "EVENT_ORDERBOOK", data: tick });
  });

  test("decoding generates no code: msgpackr records from a publisher decode with Function disabled, __proto__ renamed", () => {
    const key = 'a");process.exit(1);//';
    // Repeated records: msgpackr's regular build would compile a reader from their key names.
    const body = new Packr({ useRecords: true }).pack({ n: "x", d: Array.from({ length: 20 }, (_, i) => ({ [key]: i, b: "y" })) });
    const hostile = Buffer.from(new Packr({ useRecords: false }).pack(JSON.parse('{"n":"p","d":{"__proto__":{"polluted":true}}}')));
    const realFunction = globalThis.Function;
    let compiled = 0;
    globalThis.Function = function (): never {
      compiled++;
      throw new Error("code generation is not allowed");
    } as unknown as FunctionConstructor;
    let rows: Array<Record<string, unknown>>;
    let proto: Record<string, unknown>;
    try {
      rows = msgpackCodec.decode(body).data as Array<Record<string, unknown>>;
      proto = msgpackCodec.decode(hostile).data as Record<string, unknown>;
    } finally {
      globalThis.Function = realFunction;
    }
    assert.equal(compiled, 0);
    assert.equal(rows.length, 20);
    assert.equal(rows[19][key], 19);
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.equal((proto as { polluted?: unknown }).polluted, undefined);
  });

  test("a message without a content type is read as aioquant's format", () => {
    const body = aioquantCodec.encode({ name: "n", data: [1] });
    assert.deepEqual(decodeBody(body, undefined), { name: "n", data: [1] });
  });

  test("an unknown content type is refused with TW_BUS_DECODE", () => {
    assert.throws(
      () => decodeBody(Buffer.from("x"), "text/plain"),
      (e: unknown) => isTickwireError(e, "TW_BUS_DECODE"),
    );
  });
});

describe("BusEvent and event kinds", () => {
  test("a kind routes by gateway and symbol and parse returns the typed object", () => {
    const ev = OrderbookEvent.create(tick);
    assert.equal(ev.exchange, "Orderbook");
    assert.equal(ev.routingKey, "SIM.rb2410");
    assert.equal(ev.prefetchCount, 1);
    const back = BusEvent.decode(ev.encode(), { exchange: ev.exchange, routingKey: ev.routingKey });
    const parsed = OrderbookEvent.typed<typeof tick>().parse(back);
    assert.equal(parsed.lastPrice, 3456.5);
    assert.equal(AssetEvent.create({ gatewayName: "SIM", accountid: "acc.1", balance: 1 }).routingKey, "SIM.acc_1");
  });

  test("TradingEvents are typed with the trader objects: a TickData and an AccountData round-trip unchanged", () => {
    const t: TickData = createTick({
      gatewayName: "SIM",
      symbol: "rb2410",
      exchange: Exchange.SHFE,
      datetime: 1717232400000,
      lastPrice: 3456.5,
      bidPrice1: 3456,
      bidVolume1: 3,
    });
    const ev = TradingEvents.tick.create(t);
    assert.equal(ev.exchange, "Orderbook");
    assert.equal(ev.routingKey, "SIM.rb2410");
    for (const codec of [aioquantCodec, msgpackCodec]) {
      const back: TickData = TradingEvents.tick.parse(
        BusEvent.decode(ev.encode(codec), { exchange: ev.exchange, routingKey: ev.routingKey, contentType: codec.contentType }),
      );
      assert.deepEqual(back, t);
    }
    const a: AccountData = createAccount({ gatewayName: "SIM", accountid: "acc1", balance: 100, frozen: 40 });
    const evA = TradingEvents.account.create(a);
    assert.equal(evA.exchange, "Asset");
    assert.equal(evA.routingKey, "SIM.acc1");
    assert.deepEqual(TradingEvents.account.parse(BusEvent.decode(evA.encode(), { exchange: evA.exchange, routingKey: evA.routingKey })), a);
  });

  test("parsing another kind's event is refused with TW_BUS_KIND", () => {
    const ev = OrderbookEvent.create(tick);
    assert.throws(
      () => AssetEvent.parse(ev),
      (e: unknown) => isTickwireError(e, "TW_BUS_KIND"),
    );
  });

  test("a bus event with a bad field is refused with TW_BUS_EVENT", () => {
    assert.throws(
      () => new BusEvent({ name: "x", exchange: "", data: 1 }),
      (e: unknown) => isTickwireError(e, "TW_BUS_EVENT"),
    );
    assert.throws(
      () => new BusEvent({ name: "x", exchange: "E", prefetchCount: 0, data: 1 }),
      (e: unknown) => isTickwireError(e, "TW_BUS_EVENT"),
    );
    assert.throws(
      () => new BusEvent({ name: "x", exchange: "E", routingKey: "k".repeat(256), data: 1 }),
      (e: unknown) => isTickwireError(e, "TW_BUS_EVENT"),
    );
  });
});
