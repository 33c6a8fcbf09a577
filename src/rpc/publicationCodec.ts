/**
 * The wire format of publications: one frame per ZeroMQ message (after the topic frame) holding a
 * batch of consecutive publications, with the key names of plain objects sent once per batch.
 *
 *   [0x04][firstSeq u48 LE][shapesLength u32 LE][shapes][items]
 *   shapes  msgpack array of key-name arrays, one per distinct object shape in the batch
 *   items   msgpack array ref0, value0, ref1, value1, ...   (publication i has seq firstSeq + i)
 *           ref -1: value is the data itself; ref k >= 0: value is the array of the object's
 *           values in the order of shapes[k]
 *
 * Why: decoding a 36-field tick from a msgpack map costs ~5 µs (every key is a fresh string), far
 * more than the socket. Sharing keys per batch is what msgpackr's records do, but its record
 * reader compiles code from key names; here keys are plain data and objects are built with a loop.
 * Every frame is self-describing: nothing is shared across frames, so a late joiner or a restarted
 * peer reads any frame on its own. The decoder only remembers the last shapes it saw, byte for
 * byte, to skip decoding the same key names again.
 */
import { TickwireError } from "../event/errors.js";
import { packr, unpackr } from "./codec.js";
import { RpcErrorCode } from "./errors.js";

export const KIND_PUBLICATIONS = 0x04;
const HEADER = 11; // kind + firstSeq u48 + shapesLength u32
/** Objects with more keys than this go as msgpack maps (a dictionary, not a record type). */
const MAX_SHAPE_KEYS = 256;
/** Distinct shapes an encoder remembers. */
const MAX_SHAPES = 32;

/** The key names of a plain object, in order, and their msgpack encoding. */
interface Shape {
  readonly keys: readonly string[];
  readonly encoded: Buffer;
  /** Scratch for encodePublicationBatch: the batch it was last numbered in, and its number there. */
  batch: number;
  index: number;
}

/** One publication, encoded and waiting to be sent. */
export interface PublicationEntry {
  readonly topic: string;
  readonly seq: number;
  /** The object's shape, or undefined when `body` is the msgpack of the data itself. */
  readonly shape: Shape | undefined;
  readonly body: Buffer;
}

/**
 * Encodes single publications on the publishing side (so a value that cannot be encoded is refused
 * by `publish` itself); remembers recent object shapes so a stream of ticks costs a key comparison,
 * not a key encoding, per tick.
 */
export class PublicationEncoder {
  private shapes: Shape[] = [];

  /** Throws what msgpackr throws for data it cannot encode (cycles, symbols, ...). */
  encode(topic: string, seq: number, data: unknown): PublicationEntry {
    if (data !== null && typeof data === "object") {
      const proto: unknown = Object.getPrototypeOf(data);
      if (proto === Object.prototype || proto === null) {
        const row = this.rowOf(data as Record<string, unknown>);
        if (row !== undefined) return { topic, seq, shape: this.shapes[0], body: packr.pack(row) };
      }
    }
    return { topic, seq, shape: undefined, body: packr.pack(data) };
  }

  /** The object's values in the order of a known shape (moved to the front), or undefined when it has none. */
  private rowOf(obj: Record<string, unknown>): unknown[] | undefined {
    const shapes = this.shapes;
    for (let s = 0; s < shapes.length; s++) {
      const row = valuesInOrder(obj, shapes[s].keys);
      if (row === undefined) continue;
      if (s > 0) shapes.unshift(shapes.splice(s, 1)[0]);
      return row;
    }
    const keys = Object.keys(obj);
    if (keys.length === 0 || keys.length > MAX_SHAPE_KEYS) return undefined;
    // Inherited enumerable keys make for-in disagree with Object.keys: such objects go as maps.
    const row = valuesInOrder(obj, keys);
    if (row === undefined) return undefined;
    shapes.unshift({ keys, encoded: packr.pack(keys), batch: 0, index: 0 });
    if (shapes.length > MAX_SHAPES) shapes.pop();
    return row;
  }
}

/** The values of `obj` if its enumerable keys are exactly `keys` in that order (for-in: no array of keys per object). */
function valuesInOrder(obj: Record<string, unknown>, keys: readonly string[]): unknown[] | undefined {
  const n = keys.length;
  const row = new Array<unknown>(n);
  let j = 0;
  for (const key in obj) {
    if (j === n || key !== keys[j]) return undefined;
    row[j++] = obj[key];
  }
  return j === n ? row : undefined;
}

let batchCounter = 0;

/** One frame carrying `entries` (consecutive sequence numbers, starting with entries[0].seq). */
export function encodePublicationBatch(entries: readonly PublicationEntry[]): Buffer {
  const batch = (batchCounter = (batchCounter + 1) | 0);
  const shapes: Shape[] = [];
  let shapeBytes = 5;
  let itemBytes = 5;
  for (let i = 0; i < entries.length; i++) {
    const { shape, body } = entries[i];
    if (shape === undefined) {
      itemBytes += 1 + body.length;
      continue;
    }
    if (shape.batch !== batch) {
      shape.batch = batch;
      shape.index = shapes.length;
      shapes.push(shape);
      shapeBytes += shape.encoded.length;
    }
    itemBytes += uintSize(shape.index) + body.length;
  }
  const frame = Buffer.allocUnsafe(HEADER + shapeBytes + itemBytes);
  frame[0] = KIND_PUBLICATIONS;
  frame.writeUIntLE(entries[0].seq, 1, 6);
  frame.writeUInt32LE(shapeBytes, 7);
  let pos = writeArray32(frame, HEADER, shapes.length);
  for (let s = 0; s < shapes.length; s++) pos += shapes[s].encoded.copy(frame, pos);
  pos = writeArray32(frame, pos, entries.length * 2);
  for (let i = 0; i < entries.length; i++) {
    const { shape, body } = entries[i];
    if (shape === undefined) frame[pos++] = 0xff; // msgpack -1
    else pos = writeUint(frame, pos, shape.index);
    pos += body.copy(frame, pos);
  }
  return frame;
}

function writeArray32(buf: Buffer, pos: number, length: number): number {
  buf[pos] = 0xdd;
  buf.writeUInt32BE(length, pos + 1);
  return pos + 5;
}

function uintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

function writeUint(buf: Buffer, pos: number, n: number): number {
  if (n < 0x80) {
    buf[pos] = n;
    return pos + 1;
  }
  if (n < 0x100) {
    buf[pos] = 0xcc;
    buf[pos + 1] = n;
    return pos + 2;
  }
  if (n < 0x10000) {
    buf[pos] = 0xcd;
    buf.writeUInt16BE(n, pos + 1);
    return pos + 3;
  }
  buf[pos] = 0xce;
  buf.writeUInt32BE(n, pos + 1);
  return pos + 5;
}

/**
 * Reads publications frames (one decoder per subscriber: it keeps the last shapes it decoded).
 * Generates no code: keys arrive as data and objects are filled with a loop; `__proto__` becomes
 * `__proto_` (as msgpackr does for maps), so no key reaches a prototype.
 */
export class PublicationDecoder {
  private lastShapeBytes: Buffer | undefined = undefined;
  private lastShapes: ReadonlyArray<readonly string[]> = [];

  /**
   * Calls `each(data, seq)` for every publication in `frame`, in order, and returns the number of
   * items that were malformed (skipped). Throws TW_RPC_BAD_MESSAGE when the frame is unreadable.
   */
  decode(frame: Buffer, each: (data: unknown, seq: number) => void): number {
    if (frame.length < HEADER || frame[0] !== KIND_PUBLICATIONS) throw badFrame("not a publications frame");
    const firstSeq = frame.readUIntLE(1, 6);
    const itemsAt = HEADER + frame.readUInt32LE(7);
    if (itemsAt > frame.length) throw badFrame("shapes run past the frame");
    let items: unknown;
    let shapes: ReadonlyArray<readonly string[]>;
    try {
      shapes = this.shapesOf(frame, itemsAt);
      items = unpackr.unpack(frame, { start: itemsAt, end: frame.length });
    } catch (err) {
      throw err instanceof TickwireError ? err : badFrame(`not msgpack (${(err as Error).message})`, err);
    }
    if (!Array.isArray(items) || items.length % 2 !== 0) throw badFrame("items are not ref/value pairs");
    let bad = 0;
    for (let i = 0, n = items.length / 2; i < n; i++) {
      const ref: unknown = items[2 * i];
      const value: unknown = items[2 * i + 1];
      if (ref === -1) {
        each(value, firstSeq + i);
        continue;
      }
      const keys = typeof ref === "number" ? shapes[ref] : undefined;
      if (keys === undefined || !Array.isArray(value) || value.length !== keys.length) {
        bad++;
        continue;
      }
      const obj: Record<string, unknown> = {};
      for (let k = 0; k < keys.length; k++) obj[keys[k]] = value[k];
      each(obj, firstSeq + i);
    }
    return bad;
  }

  private shapesOf(frame: Buffer, itemsAt: number): ReadonlyArray<readonly string[]> {
    const last = this.lastShapeBytes;
    if (last !== undefined && last.length === itemsAt - HEADER && frame.compare(last, 0, last.length, HEADER, itemsAt) === 0) return this.lastShapes;
    const raw: unknown = unpackr.unpack(frame, { start: HEADER, end: itemsAt });
    if (!Array.isArray(raw)) throw badFrame("shapes are not an array");
    const shapes = raw.map((keys: unknown) => {
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) throw badFrame("a shape is not an array of key names");
      return (keys as string[]).map((k) => (k === "__proto__" ? "__proto_" : k));
    });
    this.lastShapeBytes = Buffer.from(frame.subarray(HEADER, itemsAt));
    this.lastShapes = shapes;
    return shapes;
  }
}

function badFrame(what: string, cause?: unknown): TickwireError {
  return new TickwireError(RpcErrorCode.BAD_MESSAGE, `A publications frame is unreadable: ${what}. Are server and client the same tickwire version?`, { cause });
}
