import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/**
 * Compression of aioquant bodies off the main thread, in batches. Deflating a 270-byte tick is
 * ~5 µs with the reused zlib state (more in a busy process, where its 256 KB leave the cache) —
 * the largest single cost of publishing with the aioquant codec. A burst of publishes (all made
 * in one turn of the event loop) is handed to one worker thread as a batch: one message there,
 * one back, the compressed bodies in one transferred buffer. The JSON text is still written
 * synchronously in `publish()`, so data that cannot be encoded is refused there as before; only
 * the zlib step moves. Each body is exactly what `zlib.deflateSync(text)` gives (the worker
 * checks its reused state against `deflateSync` at start, as zlibContext.ts does).
 *
 * Small batches (a lone publish) are compressed inline: a thread hop would only add latency.
 * Without a second CPU, or once the worker failed, everything is compressed inline.
 */

/** A message waiting for its body: `text` is the JSON, `body` is set once compressed. */
export interface DeflateJob {
  text: string | undefined;
  body: Buffer | undefined;
}

/** Below this many messages in a turn, compress inline. */
export const MIN_WORKER_BATCH = 16;
/** At most this many messages per worker batch, so the first bodies come back (and go out) early. */
export const MAX_WORKER_BATCH = 256;

/** Runs in the worker (plain JavaScript: the same source under tsx and from dist/). */
const WORKER_SOURCE = String.raw`
"use strict";
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
const Z_FINISH = zlib.constants.Z_FINISH;
let out = Buffer.allocUnsafeSlow(1 << 16);
let input = Buffer.allocUnsafeSlow(1 << 16);
let stream, handle, state;
function open() {
  stream = zlib.createDeflate();
  handle = stream._handle;
  state = stream._writeState;
  if (!handle || !state || typeof handle.writeSync !== "function") return false;
  stream.on("error", () => undefined);
  return true;
}
function grow(pos, need) {
  const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, pos + need));
  out.copy(bigger, 0, 0, pos);
  out = bigger;
}
// Compresses input[0, len) into out at pos (one whole zlib stream, as deflateSync); returns the new end.
function reused(input, len, pos) {
  let inOff = 0;
  let inLen = len;
  for (;;) {
    if (out.length - pos < 64) grow(pos, 64);
    handle.writeSync(Z_FINISH, input, inOff, inLen, out, pos, out.length - pos);
    if (stream._handle !== handle) {
      open();
      throw new Error("zlib failed");
    }
    const availOut = state[0];
    const availIn = state[1];
    inOff += inLen - availIn;
    inLen = availIn;
    pos = out.length - availOut;
    if (availOut === 0) continue;
    handle.reset();
    return pos;
  }
}
function plain(input, len, pos) {
  const z = zlib.deflateSync(input.subarray(0, len));
  if (out.length - pos < z.length) grow(pos, z.length);
  z.copy(out, pos);
  return pos + z.length;
}
let deflateInto = plain;
try {
  if (open()) {
    const sample = Buffer.from('{"n": "check", "d": {"price": 3456.5, "text": "' + "x".repeat(40000) + '"}}');
    const want = zlib.deflateSync(sample);
    const a = reused(sample, sample.length, 0);
    const first = Buffer.from(out.subarray(0, a));
    const b = reused(sample, sample.length, 0);
    if (first.equals(want) && out.subarray(0, b).equals(want)) deflateInto = reused;
  }
} catch {
  deflateInto = plain;
}
parentPort.on("message", (texts) => {
  try {
    const lens = new Uint32Array(texts.length);
    let pos = 0;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i];
      // One reused input buffer (UTF-8 takes at most 3 bytes per UTF-16 unit).
      if (text.length * 3 > input.length) input = Buffer.allocUnsafeSlow(text.length * 3);
      const n = input.utf8Write(text, 0);
      const end = deflateInto(input, n, pos);
      lens[i] = end - pos;
      pos = end;
    }
    // An exact-size copy goes back (its bodies share it) and the output buffer is kept: handing
    // over the whole buffer made every body hold at least 64 KiB, or the largest batch ever seen.
    const buf = out.buffer.slice(out.byteOffset, out.byteOffset + pos);
    parentPort.postMessage({ buf, lens }, [buf, lens.buffer]);
  } catch (err) {
    parentPort.postMessage({ error: String(err) });
  }
});
`;

type BatchDone = (bodies: Buffer[] | undefined) => void;

interface Reply {
  buf?: ArrayBuffer;
  lens?: Uint32Array;
  error?: string;
}

/** The one compression thread of the process, shared by every center; replies come back in order. */
class DeflateThread {
  private worker: Worker | undefined;
  private broken = false;
  private readonly waiting: BatchDone[] = [];

  /** Hands `texts` to the worker; false when there is none (then the caller compresses inline). */
  run(texts: string[], done: BatchDone): boolean {
    if (this.broken) return false;
    if (!this.worker && !this.start()) return false;
    const worker = this.worker!;
    try {
      worker.postMessage(texts);
    } catch {
      this.fail();
      return false;
    }
    if (this.waiting.push(done) === 1) worker.ref();
    return true;
  }

  private start(): boolean {
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, stdout: false, stderr: false });
      worker.unref();
      worker.on("message", (reply: Reply) => this.reply(reply));
      worker.on("error", () => this.fail());
      worker.on("exit", () => this.fail());
      this.worker = worker;
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  private reply(reply: Reply): void {
    const done = this.waiting.shift();
    if (this.waiting.length === 0) this.worker?.unref();
    if (!done) return;
    if (!reply.buf || !reply.lens) return done(undefined);
    const { buf, lens } = reply;
    const bodies: Buffer[] = new Array<Buffer>(lens.length);
    let off = 0;
    for (let i = 0; i < lens.length; i++) {
      bodies[i] = Buffer.from(buf, off, lens[i]);
      off += lens[i];
    }
    done(bodies);
  }

  /** The worker died or could not be reached: what it held is compressed inline, and so is all that follows. */
  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate().catch(() => undefined);
    const waiting = this.waiting.splice(0);
    for (const done of waiting) done(undefined);
  }

  /** For tests: make the worker fail now, as a crash would. */
  breakForTest(): void {
    this.fail();
  }

  get state(): "idle" | "running" | "broken" {
    return this.broken ? "broken" : this.worker ? "running" : "idle";
  }
}

let shared: DeflateThread | undefined;
const useWorker = availableParallelism() > 1;

function thread(): DeflateThread {
  return (shared ??= new DeflateThread());
}

/** Test hooks: the shared worker's state, and a way to make it fail. */
export const deflateThreadForTest = {
  state: (): "idle" | "running" | "broken" => (shared ? shared.state : "idle"),
  breakIt: (): void => thread().breakForTest(),
  reset: (): void => {
    shared?.breakForTest();
    shared = undefined;
  },
};

/**
 * Collects the jobs of one turn of the event loop and compresses them as batches — in the
 * worker thread when there are enough, inline otherwise — then calls `ready` (once per batch,
 * in the order the batches were made). `deflate` is the inline compressor (same bytes).
 */
export class BatchDeflater {
  private jobs: DeflateJob[] = [];
  private scheduled = false;
  /** Batches handed to the worker and not back yet. */
  private outstanding = 0;

  constructor(
    private readonly deflate: (input: Buffer) => Buffer,
    private readonly ready: () => void,
    private readonly options: { worker?: boolean; minBatch?: number } = {},
  ) {}

  /** Batches in the worker right now. */
  get busy(): number {
    return this.outstanding;
  }

  add(job: DeflateJob): void {
    this.jobs.push(job);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.dispatch);
  }

  private readonly dispatch = (): void => {
    this.scheduled = false;
    const jobs = this.jobs;
    this.jobs = [];
    const min = this.options.minBatch ?? MIN_WORKER_BATCH;
    if (jobs.length >= min && (this.options.worker ?? useWorker)) {
      for (let at = 0; at < jobs.length; at += MAX_WORKER_BATCH) {
        const part = at === 0 && jobs.length <= MAX_WORKER_BATCH ? jobs : jobs.slice(at, at + MAX_WORKER_BATCH);
        const texts = new Array<string>(part.length);
        for (let i = 0; i < part.length; i++) texts[i] = part[i].text!;
        const sent = thread().run(texts, (bodies) => {
          this.outstanding--;
          this.complete(part, bodies);
        });
        if (sent) this.outstanding++;
        else this.complete(part, undefined);
      }
      return;
    }
    this.complete(jobs, undefined);
  };

  /** Sets the bodies (compressing inline what the worker did not) and tells the owner. */
  private complete(jobs: DeflateJob[], bodies: Buffer[] | undefined): void {
    const fromWorker = bodies !== undefined && bodies.length === jobs.length;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i];
      if (job.text === undefined) continue; // dropped meanwhile (the center closed)
      job.body = fromWorker ? bodies[i] : this.deflate(Buffer.from(job.text, "utf8"));
      job.text = undefined;
    }
    this.ready();
  }
}
