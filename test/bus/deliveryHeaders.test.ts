/** The headers of retry and dead-letter copies: written so that amqplib can always encode them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { HEADER } from "../../src/bus/index.js";
import { tickwireHeaders, writableHeaders } from "../../src/bus/deliveryHeaders.js";

// amqplib's own field-table encoder (not exported: loaded by path), so the test checks what it really accepts.
const require = createRequire(import.meta.url);
const codec = require(require.resolve("amqplib").replace(/channel_api\.js$/, "lib/codec.js")) as {
  encodeTable(buffer: Buffer, value: unknown, offset: number): number;
};
const encode = (headers: Record<string, unknown>): number => codec.encodeTable(Buffer.alloc(65536), headers, 0);

const hostile: Record<string, unknown> = {
  tooSmall: -1e300,
  nan: NaN,
  minusInfinity: -Infinity,
  fraction: 1.5,
  whole: 7,
  text: "kept",
  bytes: Buffer.from("ab"),
  nested: { deeper: -1e300, ok: true },
  big: 10n,
  list: [1, 10n],
  timestamp: { "!": "timestamp", value: 2 ** 64 },
  decimal: { "!": "decimal", value: { places: 2, digits: 5 } },
};

test("headers amqplib cannot write again are re-typed as doubles or left out and named, and amqplib then writes them", () => {
  assert.throws(() => encode(hostile), "amqplib refuses the headers as they are");
  const out = writableHeaders(hostile);
  assert.ok(encode(out) > 0);
  assert.deepEqual(out.tooSmall, { "!": "double", value: -1e300 });
  assert.deepEqual(out.nested, { deeper: { "!": "double", value: -1e300 }, ok: true });
  assert.equal(out.fraction, 1.5);
  assert.equal(out.whole, 7);
  assert.equal(out.text, "kept");
  assert.deepEqual(out.decimal, hostile.decimal);
  assert.equal(out[HEADER.droppedHeaders], "big,list,timestamp");
});

test("tickwire's own headers alone are always writable, and the rest are named", () => {
  const out = tickwireHeaders({ [HEADER.attempt]: 2, [HEADER.error]: "boom", [HEADER.exchange]: -1e300, other: "x" });
  assert.ok(encode(out) > 0);
  assert.deepEqual(out, { [HEADER.attempt]: 2, [HEADER.error]: "boom", [HEADER.droppedHeaders]: `${HEADER.exchange},other` });
});
