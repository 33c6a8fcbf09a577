import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { encodeReplyParts, encodeValue, findForeignExtension } from "../../src/rpc/codec.js";

describe("request extension guard", () => {
  test("nothing tickwire's encoder writes is taken for a foreign extension", () => {
    const values: unknown[] = [
      [1, -1, 127, 128, -33, 255, 65_536, 2 ** 32, -(2 ** 40), 1.5, Number.MAX_VALUE, NaN, true, false, null, undefined],
      ["", "a".repeat(31), "b".repeat(32), "c".repeat(256), "d".repeat(70_000)],
      [Buffer.alloc(3), Buffer.alloc(300), Buffer.alloc(70_000), new Uint16Array(4)],
      [new Date(0), new Date(2 ** 40), new Date(-1), new Date(8.64e15), new Date(Number.NaN)],
      { nested: { deep: [{ a: 1, b: [undefined, { c: new Date() }] }] }, map: new Map([[1, "x"]]), set: new Set([1]) },
      Array.from({ length: 70_000 }, (_, i) => i),
      new Map(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i])),
      [2n ** 63n, -(2n ** 63n), new Error("e"), /re/g],
    ];
    for (const v of values) assert.equal(findForeignExtension(encodeValue(v), 0), undefined);
  });

  test("a BigInt extension is found wherever it sits", () => {
    const bigint = Buffer.from([0xc7, 0x02, 0x42, 0x01, 0x02]);
    const inMap = Buffer.concat([Buffer.from([0x92, 0x01, 0x81, 0xa1, 0x6b]), bigint]);
    assert.equal(findForeignExtension(inMap, 0), 0x42);
    assert.equal(findForeignExtension(Buffer.from([0x91, 0xd4, 0x72, 0x00]), 0), 0x72);
  });
});

test("a sliced reply of an object with more than 65,535 fields fails with TW_RPC_OVERSIZE", () => {
  const wide = Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i]));
  assert.throws(
    () => [...encodeReplyParts(1, wide, 64 * 1024)],
    (e: Error & { code?: string }) => e.code === "TW_RPC_OVERSIZE",
  );
});
