import zlib from "node:zlib";

/**
 * Sync zlib with one long-lived compressor instead of a new one per message.
 * `zlib.deflateSync` builds a stream object and a fresh zlib state (~256 KB) on every call,
 * which costs more than compressing a 300-byte event; resetting one state is about half the
 * price. This drives the stream's native handle directly (the same calls `deflateSync` makes
 * inside Node); if those internals are missing or misbehave on this Node version, the first
 * self-check fails and we fall back to `deflateSync`/`inflateSync` for good.
 */
export type ZlibTransform = (input: Buffer) => Buffer;

interface NativeHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
  reset(): void;
}

interface StreamInternals {
  _handle?: NativeHandle | null;
  _writeState?: Uint32Array;
  on(event: "error", fn: (err: Error) => void): unknown;
}

/** The error Node stores on a zlib stream that failed (its private `kError` slot), if it can be found. */
function storedError(stream: object): Error | undefined {
  for (const sym of Object.getOwnPropertySymbols(stream)) {
    if (sym.description !== "kError") continue;
    const v = (stream as Record<symbol, unknown>)[sym];
    if (v instanceof Error) return v;
  }
  return undefined;
}

const CHUNK = 16 * 1024;
/** Largest inflated payload accepted, so a tiny compressed bomb cannot exhaust memory. */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

function reusable(make: () => zlib.Deflate | zlib.Inflate, maxOut: number): ZlibTransform | undefined {
  let stream: StreamInternals;
  let handle: NativeHandle;
  let state: Uint32Array;
  const open = (): boolean => {
    stream = make() as unknown as StreamInternals;
    if (!stream._handle || !stream._writeState || typeof stream._handle.writeSync !== "function") return false;
    handle = stream._handle;
    state = stream._writeState;
    stream.on("error", () => undefined); // reported through the closed handle below
    return true;
  };
  if (!open()) return undefined;
  let out = Buffer.allocUnsafe(CHUNK);
  return (input: Buffer): Buffer => {
    let inOff = 0;
    let inLen = input.length;
    let outOff = 0;
    let chunks: Buffer[] | undefined;
    let total = 0;
    for (;;) {
      handle.writeSync(zlib.constants.Z_FINISH, input, inOff, inLen, out, outOff, out.length - outOff);
      if (stream._handle !== handle) {
        // zlib failed (bad input) and Node closed the handle: start a fresh one for the next message.
        const err = storedError(stream) ?? new Error("zlib: invalid data");
        open();
        throw err;
      }
      const availOut = state[0];
      const availIn = state[1];
      inOff += inLen - availIn;
      inLen = availIn;
      const end = out.length - availOut;
      if (availOut === 0) {
        // Output buffer full: keep this chunk and go round for more.
        total += end;
        if (total > maxOut) {
          handle.reset();
          throw new RangeError(`zlib output exceeds ${maxOut} bytes`);
        }
        (chunks ??= []).push(out);
        out = Buffer.allocUnsafe(CHUNK);
        outOff = 0;
        continue;
      }
      handle.reset();
      const last = Buffer.from(out.subarray(0, end)); // copy: `out` is reused by the next call
      if (!chunks) return last;
      chunks.push(last);
      return Buffer.concat(chunks);
    }
  };
}

function selfChecked(fast: ZlibTransform | undefined, check: (f: ZlibTransform) => boolean): ZlibTransform | undefined {
  if (!fast) return undefined;
  try {
    return check(fast) ? fast : undefined;
  } catch {
    return undefined;
  }
}

const SAMPLE = Buffer.from('{"n": "check", "d": {"price": 3456.5, "text": "' + "x".repeat(40000) + '"}}');

/** A deflater producing exactly what `zlib.deflateSync(input)` (and Python's `zlib.compress`) produce. */
export function createDeflater(): ZlibTransform {
  const fast = selfChecked(reusable(() => zlib.createDeflate(), Number.MAX_SAFE_INTEGER), (f) => {
    const want = zlib.deflateSync(SAMPLE);
    return f(SAMPLE).equals(want) && f(SAMPLE).equals(want) && f(Buffer.alloc(0)).equals(zlib.deflateSync(Buffer.alloc(0)));
  });
  return fast ?? ((input) => zlib.deflateSync(input));
}

/** An inflater for zlib streams, refusing output over `MAX_INFLATED_BYTES`. */
export function createInflater(): ZlibTransform {
  const fast = selfChecked(reusable(() => zlib.createInflate(), MAX_INFLATED_BYTES), (f) => {
    const packed = zlib.deflateSync(SAMPLE);
    return f(packed).equals(SAMPLE) && f(packed).equals(SAMPLE);
  });
  return fast ?? ((input) => zlib.inflateSync(input, { maxOutputLength: MAX_INFLATED_BYTES }));
}
