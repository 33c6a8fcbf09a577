import { test } from "node:test";
import assert from "node:assert/strict";
import { Event } from "../../src/event/index.js";
import { EventQueue } from "../../src/event/EventQueue.js";

test("the queue keeps FIFO order across many chunks, interleaving pushes and shifts", () => {
  const q = new EventQueue();
  let next = 0;
  let expect = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 3000; i++) q.push(new Event("a", next++));
    for (let i = 0; i < 2500; i++) assert.equal(q.shift()?.data, expect++);
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
  for (let i = 0; i < 7000; i++) seqs.push(q.push(new Event("a", i)));
  for (let i = 0; i < 1000; i++) q.shift();
  q.replace(seqs[5000], new Event("a", "replaced"));
  q.replace(seqs[1000], new Event("a", "first"));
  assert.equal(q.shift()?.data, "first");
  for (let i = 1001; i < 5000; i++) q.shift();
  assert.equal(q.shift()?.data, "replaced");
  assert.equal(q.length, 1999);
});
