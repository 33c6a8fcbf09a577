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
 * Why: decoding a 37-field tick from a msgpack map costs ~5 µs (every key is a fresh string), far
 * more than the socket. Sharing keys per batch is what msgpackr's records do, but its record
 * reader compiles code from key names; here keys stay plain data and objects are filled by fixed
 * code (see `fill`).
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
    if (shape === undefined)
      frame[pos++] = 0xff; // msgpack -1
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

/** A shape as the decoder uses it: its key names and an object with those keys to copy. */
interface DecodedShape {
  readonly keys: readonly string[];
  readonly template: Record<string, unknown>;
}

/** Shapes tables a decoder remembers (byte for byte), so alternating lone messages don't rebuild them. */
const MAX_CACHED_TABLES = 8;
/** Larger tables are decoded every time rather than kept (bounds what a decoder holds). */
const MAX_CACHED_TABLE_BYTES = 64 * 1024;

/**
 * Reads publications frames (one decoder per subscriber: it remembers the last shapes tables it
 * read). Generates no code: keys arrive as data and objects are filled by fixed code; `__proto__`
 * becomes `__proto_` (as msgpackr does for maps), so no key reaches a prototype.
 */
export class PublicationDecoder {
  private tables: Array<{ bytes: Buffer; shapes: readonly DecodedShape[] }> = [];

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
    let shapes: readonly DecodedShape[];
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
      const shape = typeof ref === "number" ? shapes[ref] : undefined;
      if (shape === undefined || !Array.isArray(value) || value.length !== shape.keys.length) {
        bad++;
        continue;
      }
      each(fill({ ...shape.template }, shape.keys, value), firstSeq + i);
    }
    return bad;
  }

  private shapesOf(frame: Buffer, itemsAt: number): readonly DecodedShape[] {
    const tables = this.tables;
    const length = itemsAt - HEADER;
    for (let t = 0; t < tables.length; t++) {
      const { bytes, shapes } = tables[t];
      if (bytes.length === length && frame.compare(bytes, 0, length, HEADER, itemsAt) === 0) {
        if (t > 0) tables.unshift(tables.splice(t, 1)[0]);
        return shapes;
      }
    }
    const raw: unknown = unpackr.unpack(frame, { start: HEADER, end: itemsAt });
    if (!Array.isArray(raw)) throw badFrame("shapes are not an array");
    const shapes = raw.map((keys: unknown): DecodedShape => {
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) throw badFrame("a shape is not an array of key names");
      const names = (keys as string[]).map((k) => internalized(k === "__proto__" ? "__proto_" : k));
      return { keys: names, template: templateOf(names) };
    });
    if (length <= MAX_CACHED_TABLE_BYTES) {
      tables.unshift({ bytes: Buffer.from(frame.subarray(HEADER, itemsAt)), shapes });
      if (tables.length > MAX_CACHED_TABLES) tables.pop();
    }
    return shapes;
  }
}

/**
 * An object with `keys` (in order) whose fields take any value without changing its hidden class:
 * copies of it (`{ ...template }`) are born with every field in place, so filling them is a plain
 * field write. JSON.parse gives it exactly-sized fields; keys are JSON-quoted, so it stays data.
 */
function templateOf(keys: readonly string[]): Record<string, unknown> {
  const template = JSON.parse(`{${keys.map((k) => `${JSON.stringify(k)}:0`).join(",")}}`) as Record<string, unknown>;
  // Widen each field from "small integer" to "anything" now, once, rather than in every copy.
  for (const key of keys) template[key] = "";
  return template;
}

/**
 * Writes `v[i]` to `o[k[i]]` for every i. Written out store by store on purpose: each line is its
 * own property-store site, so for a stream of same-shaped objects each site always writes the same
 * field of the same hidden class and V8 keeps it monomorphic (about a nanosecond a field). One
 * store in a loop sees every key, goes megamorphic and costs ~30 ns a field, which was most of a
 * tick's decoding. This is the speed of msgpackr's generated record readers without generating code.
 */
function fill(o: Record<string, unknown>, k: readonly string[], v: readonly unknown[]): Record<string, unknown> {
  const n = k.length;
  if (n === 0) return o;
  o[k[0]] = v[0];
  if (n === 1) return o;
  o[k[1]] = v[1];
  if (n === 2) return o;
  o[k[2]] = v[2];
  if (n === 3) return o;
  o[k[3]] = v[3];
  if (n === 4) return o;
  o[k[4]] = v[4];
  if (n === 5) return o;
  o[k[5]] = v[5];
  if (n === 6) return o;
  o[k[6]] = v[6];
  if (n === 7) return o;
  o[k[7]] = v[7];
  if (n === 8) return o;
  o[k[8]] = v[8];
  if (n === 9) return o;
  o[k[9]] = v[9];
  if (n === 10) return o;
  o[k[10]] = v[10];
  if (n === 11) return o;
  o[k[11]] = v[11];
  if (n === 12) return o;
  o[k[12]] = v[12];
  if (n === 13) return o;
  o[k[13]] = v[13];
  if (n === 14) return o;
  o[k[14]] = v[14];
  if (n === 15) return o;
  o[k[15]] = v[15];
  if (n === 16) return o;
  o[k[16]] = v[16];
  if (n === 17) return o;
  o[k[17]] = v[17];
  if (n === 18) return o;
  o[k[18]] = v[18];
  if (n === 19) return o;
  o[k[19]] = v[19];
  if (n === 20) return o;
  o[k[20]] = v[20];
  if (n === 21) return o;
  o[k[21]] = v[21];
  if (n === 22) return o;
  o[k[22]] = v[22];
  if (n === 23) return o;
  o[k[23]] = v[23];
  if (n === 24) return o;
  o[k[24]] = v[24];
  if (n === 25) return o;
  o[k[25]] = v[25];
  if (n === 26) return o;
  o[k[26]] = v[26];
  if (n === 27) return o;
  o[k[27]] = v[27];
  if (n === 28) return o;
  o[k[28]] = v[28];
  if (n === 29) return o;
  o[k[29]] = v[29];
  if (n === 30) return o;
  o[k[30]] = v[30];
  if (n === 31) return o;
  o[k[31]] = v[31];
  if (n === 32) return o;
  o[k[32]] = v[32];
  if (n === 33) return o;
  o[k[33]] = v[33];
  if (n === 34) return o;
  o[k[34]] = v[34];
  if (n === 35) return o;
  o[k[35]] = v[35];
  if (n === 36) return o;
  o[k[36]] = v[36];
  if (n === 37) return o;
  o[k[37]] = v[37];
  if (n === 38) return o;
  o[k[38]] = v[38];
  if (n === 39) return o;
  o[k[39]] = v[39];
  if (n === 40) return o;
  o[k[40]] = v[40];
  if (n === 41) return o;
  o[k[41]] = v[41];
  if (n === 42) return o;
  o[k[42]] = v[42];
  if (n === 43) return o;
  o[k[43]] = v[43];
  if (n === 44) return o;
  o[k[44]] = v[44];
  if (n === 45) return o;
  o[k[45]] = v[45];
  if (n === 46) return o;
  o[k[46]] = v[46];
  if (n === 47) return o;
  o[k[47]] = v[47];
  if (n === 48) return o;
  o[k[48]] = v[48];
  if (n === 49) return o;
  o[k[49]] = v[49];
  if (n === 50) return o;
  o[k[50]] = v[50];
  if (n === 51) return o;
  o[k[51]] = v[51];
  if (n === 52) return o;
  o[k[52]] = v[52];
  if (n === 53) return o;
  o[k[53]] = v[53];
  if (n === 54) return o;
  o[k[54]] = v[54];
  if (n === 55) return o;
  o[k[55]] = v[55];
  if (n === 56) return o;
  o[k[56]] = v[56];
  if (n === 57) return o;
  o[k[57]] = v[57];
  if (n === 58) return o;
  o[k[58]] = v[58];
  if (n === 59) return o;
  o[k[59]] = v[59];
  if (n === 60) return o;
  o[k[60]] = v[60];
  if (n === 61) return o;
  o[k[61]] = v[61];
  if (n === 62) return o;
  o[k[62]] = v[62];
  if (n === 63) return o;
  o[k[63]] = v[63];
  for (let j = 64; j < n; j++) o[k[j]] = v[j];
  return o;
}

/**
 * The same text as V8's unique (internalized) string, as property names are. Decoded strings are
 * fresh copies; a store site seeing a fresh copy each time never settles and is never optimized.
 */
function internalized(key: string): string {
  const holder: Record<string, null> = {};
  holder[key] = null;
  for (const name in holder) return name;
  return key;
}

function badFrame(what: string, cause?: unknown): TickwireError {
  return new TickwireError(RpcErrorCode.BAD_MESSAGE, `A publications frame is unreadable: ${what}. Are server and client the same tickwire version?`, {
    cause,
  });
}
