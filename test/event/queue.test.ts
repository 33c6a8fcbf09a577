import { test } from "node:test";
import assert from "node:assert/strict";
import { Event } from "../../src/event/index.js";
import { EventQueue } from "../../src/event/EventQueue.js";

test("the queue keeps FIFO order across many chunks, interleaving pushes and shifts", () => {
  const q = new EventQueue();
  let next = 0;
  let expect = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 20_000; i++) q.push(new Event("a", next++));
    for (let i = 0; i < 17_000; i++) assert.equal(q.shift()?.data, expect++);
  }
  assert.equal(q.length, next - expect);
  while (q.length > 0) assert.equal(q.shift()?.data, expect++);
  assert.equal(q.shift(), undefined);
  assert.equal(expect, next);
});

test("replace swaps the event at a sequence number, also several chunks past the head", () => {
  const q = new EventQueue();
  for (let i = 0; i < 100; i++) q.shift();
  const seqs: number[] = [];
  for (let i = 0; i < 70_000; i++) {
    q.push(new Event("a", i));
    seqs.push(q.pushed - 1);
  }
  for (let i = 0; i < 1000; i++) q.shift();
  q.replace(seqs[50_000], new Event("a", "replaced"));
  q.replace(seqs[1000], new Event("a", "first"));
  assert.equal(q.shift()?.data, "first");
  for (let i = 1001; i < 50_000; i++) q.shift();
  assert.equal(q.shift()?.data, "replaced");
  assert.equal(q.length, 19_999);
});

test("push returns the length after it", () => {
  const q = new EventQueue();
  assert.equal(q.push(new Event("a")), 1);
  assert.equal(q.push(new Event("a")), 2);
  q.shift();
  assert.equal(q.push(new Event("a")), 2);
});

test("a queue that empties starts again at the front of its chunk, keeping sequence numbers and FIFO order", () => {
  const q = new EventQueue();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 16_384; i++) q.push(new Event("a", i)); // exactly one chunk, then empty again
    for (let i = 0; i < 16_384; i++) assert.equal(q.shift()?.data, i);
    assert.equal(q.length, 0);
  }
  q.push(new Event("a", "x"));
  q.push(new Event("a", "y"));
  q.replace(q.pushed - 1, new Event("a", "z"));
  assert.equal(q.pushed, 3 * 16_384 + 2);
  assert.equal(q.headSequence, 3 * 16_384);
  assert.deepEqual([q.shift()?.data, q.shift()?.data, q.shift()], ["x", "z", undefined]);
});

test("runs of every length, each emptying the queue, keep FIFO order and sequence numbers", () => {
  const q = new EventQueue();
  let next = 0;
  let expect = 0;
  for (const run of [1, 300, 1000, 1000, 5, 40_000, 1000, 255, 256, 257, 20_000, 3]) {
    for (let i = 0; i < run; i++) q.push(new Event("a", next++));
    const half = run >> 1;
    for (let i = 0; i < half; i++) assert.equal(q.shift()?.data, expect++);
    q.replace(next - 1, new Event("a", next - 1)); // the newest, possibly chunks past the head
    while (q.length > 0) assert.equal(q.shift()?.data, expect++);
    assert.equal(q.shift(), undefined);
  }
  assert.equal(q.pushed, next);
  assert.equal(q.headSequence, next);
});
