import zlib from "node:zlib";

/**
 * Sync zlib with one long-lived compressor instead of a new one per message.
 * `zlib.deflateSync` builds a stream object and a fresh zlib state (~256 KB) on every call,
 * which costs more than compressing a 300-byte event: for a 270-byte tick, deflateSync takes
 * ~16 µs and inflateSync ~8 µs, the reused state ~10 and ~2.6 (Node 20). Node has no public API
 * for a reusable synchronous zlib state, so this drives the stream's native handle directly (the
 * same calls `deflateSync` makes inside Node: `_handle.writeSync`, `_writeState`). If those
 * internals are missing or give other bytes than the public functions on this Node version, the
 * self-check at creation fails and the transform is `deflateSync`/`inflateSync` for good
 * (`reusesState` says which). See docs/decisions.md.
 */
export interface ZlibTransform {
  (input: Buffer): Buffer;
  /** True when one zlib state is reused (the fast path); false after falling back to the public functions. */
  readonly reusesState: boolean;
}

type ZlibFunction = (input: Buffer) => Buffer;

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

function reusable(make: () => zlib.Deflate | zlib.Inflate, maxOut: number): ZlibFunction | undefined {
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

/** The fast transform if it can be built and passes `check`, else `fallback`. */
function selfChecked(build: () => ZlibFunction | undefined, check: (f: ZlibFunction) => boolean, fallback: ZlibFunction): ZlibTransform {
  try {
    const fast = build();
    if (fast && check(fast)) return Object.assign(fast, { reusesState: true });
  } catch {
    // internals not as expected: the public functions below
  }
  return Object.assign(fallback, { reusesState: false });
}

const SAMPLE = Buffer.from('{"n": "check", "d": {"price": 3456.5, "text": "' + "x".repeat(40000) + '"}}');

/**
 * A deflater producing exactly what `zlib.deflateSync(input)` produces (a zlib stream Python's
 * `zlib.decompress` reads). `make` builds the stream whose state is reused (tests pass others).
 */
export function createDeflater(make: () => zlib.Deflate = () => zlib.createDeflate()): ZlibTransform {
  return selfChecked(
    () => reusable(make, Number.MAX_SAFE_INTEGER),
    (f) => {
      const want = zlib.deflateSync(SAMPLE);
      return f(SAMPLE).equals(want) && f(SAMPLE).equals(want) && f(Buffer.alloc(0)).equals(zlib.deflateSync(Buffer.alloc(0)));
    },
    (input) => zlib.deflateSync(input),
  );
}

/** An inflater for zlib streams, refusing output over `MAX_INFLATED_BYTES`. */
export function createInflater(make: () => zlib.Inflate = () => zlib.createInflate()): ZlibTransform {
  return selfChecked(
    () => reusable(make, MAX_INFLATED_BYTES),
    (f) => {
      const packed = zlib.deflateSync(SAMPLE);
      return f(packed).equals(SAMPLE) && f(packed).equals(SAMPLE);
    },
    (input) => zlib.inflateSync(input, { maxOutputLength: MAX_INFLATED_BYTES }),
  );
}
