import { describe, test } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { BatchDeflater, MAX_WORKER_BATCH, deflateThreadForTest, type DeflateJob } from "../../src/bus/deflateBatch.js";
import { aioquantDeflate } from "../../src/bus/codec.js";

function texts(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    // Some non-ASCII, and now and then a body larger than the worker's first output buffer (64 KB).
    const extra = i % 97 === 5 ? "x".repeat(70_000) + String(Math.random()).repeat(2000) : "";
    out.push(`{"n": "EVENT_ORDERBOOK", "d": {"seq": ${i}, "name": "螺纹钢 ${i}", "lastPrice": ${3456.5 + i}, "pad": "${extra}"}}`);
  }
  return out;
}

/** Adds `all` in one turn and resolves once every body is set, with the number of ready() calls. */
async function run(deflater: (ready: () => void) => BatchDeflater, all: string[]): Promise<{ jobs: DeflateJob[]; readyCalls: number }> {
  const jobs: DeflateJob[] = all.map((text) => ({ text, body: undefined }));
  let readyCalls = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const d = deflater(() => {
    readyCalls++;
    if (jobs.every((j) => j.body !== undefined)) done();
  });
  for (const j of jobs) d.add(j);
  await finished;
  return { jobs, readyCalls };
}

function assertDeflated(jobs: DeflateJob[], all: string[]): void {
  jobs.forEach((j, i) => {
    assert.equal(j.text, undefined);
    assert.ok(j.body!.equals(zlib.deflateSync(Buffer.from(all[i], "utf8"))), `body ${i} is deflateSync's`);
  });
}

describe("batched deflate", () => {
  test("a burst is compressed in the worker thread, byte for byte what deflateSync makes, in batches", async () => {
    deflateThreadForTest.reset();
    const all = texts(3 * MAX_WORKER_BATCH + 10);
    const { jobs, readyCalls } = await run((ready) => new BatchDeflater(aioquantDeflate, ready, { worker: true }), all);
    assertDeflated(jobs, all);
    assert.equal(readyCalls, 4, "one ready() per worker batch");
    assert.equal(deflateThreadForTest.state(), "running");
  });

  test("bodies from the worker hold no more memory than their batch: no 64 KiB buffer, none left over from a large batch", async () => {
    deflateThreadForTest.reset();
    const large = texts(MAX_WORKER_BATCH); // with 70 KB bodies: the worker's output buffer grows
    assertDeflated((await run((ready) => new BatchDeflater(aioquantDeflate, ready, { worker: true }), large)).jobs, large);
    const small = texts(20).map((t) => t.replace(/"pad": "[^"]*"/, '"pad": ""'));
    const { jobs } = await run((ready) => new BatchDeflater(aioquantDeflate, ready, { worker: true }), small);
    assertDeflated(jobs, small);
    const total = jobs.reduce((n, j) => n + j.body!.length, 0);
    for (const j of jobs) assert.ok(j.body!.buffer.byteLength <= total, `a body's backing store is ${j.body!.buffer.byteLength} bytes for a batch of ${total}`);
  });

  test("a few messages are compressed inline, without a thread", async () => {
    deflateThreadForTest.reset();
    const all = texts(3);
    const { jobs, readyCalls } = await run((ready) => new BatchDeflater(aioquantDeflate, ready, { worker: true }), all);
    assertDeflated(jobs, all);
    assert.equal(readyCalls, 1);
    assert.equal(deflateThreadForTest.state(), "idle");
  });

  test("a worker that fails mid-batch: what it held and all that follows is compressed inline", async () => {
    deflateThreadForTest.reset();
    const all = texts(2 * MAX_WORKER_BATCH);
    const jobs: DeflateJob[] = all.map((text) => ({ text, body: undefined }));
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const d = new BatchDeflater(
      aioquantDeflate,
      () => {
        if (jobs.every((j) => j.body !== undefined)) done();
      },
      { worker: true },
    );
    for (const j of jobs) d.add(j);
    await Promise.resolve(); // the batches are handed over in a microtask
    assert.equal(d.busy, 2);
    deflateThreadForTest.breakIt();
    await finished;
    assert.equal(d.busy, 0);
    assertDeflated(jobs, all);
    assert.equal(deflateThreadForTest.state(), "broken");
    const again = texts(100);
    const second = await run((ready) => new BatchDeflater(aioquantDeflate, ready, { worker: true }), again);
    assertDeflated(second.jobs, again);
    deflateThreadForTest.reset();
  });

  test("worker: false compresses everything inline", async () => {
    deflateThreadForTest.reset();
    const all = texts(100);
    const { jobs } = await run((ready) => new BatchDeflater(aioquantDeflate, ready, { worker: false }), all);
    assertDeflated(jobs, all);
    assert.equal(deflateThreadForTest.state(), "idle");
  });
});
