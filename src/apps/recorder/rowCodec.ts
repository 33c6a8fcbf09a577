/**
 * Rows (ticks, bars) as columns for the store thread: numbers in one Float64Array and strings as
 * indexes into a small table, both transferred, not copied. Structured clone of a 5,000-tick batch
 * cost the main thread 10-50 ms here. Float64 holds every JS number exactly, so a row comes back
 * equal field for field.
 * The per-shape encoder and decoder are generated once (named property reads, one object literal
 * per row): generic keyed access was megamorphic and built dictionary-mode objects, which made
 * the store's own work on them twice as slow.
 */
export interface EncodedRows {
  n: number;
  keys: string[];
  /** Per key: true for a number column, false for a string column. */
  numeric: boolean[];
  nums: Float64Array;
  strRefs: Uint32Array;
  strs: string[];
}

type Encoder = (row: Record<string, unknown>, nums: Float64Array, p: number, refs: Uint32Array, q: number, intern: (v: unknown) => number) => boolean;
type Decoder = (nums: Float64Array, p: number, refs: Uint32Array, q: number, strs: string[]) => Record<string, number | string>;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const encoders = new Map<string, Encoder>();
const decoders = new Map<string, Decoder>();

function shapeKey(keys: string[], numeric: boolean[]): string {
  return keys.map((k, i) => (numeric[i] ? "n:" : "s:") + k).join(",");
}

function encoderFor(keys: string[], numeric: boolean[]): Encoder {
  const key = shapeKey(keys, numeric);
  let fn = encoders.get(key);
  if (!fn) {
    const lines: string[] = [];
    let p = 0;
    let q = 0;
    keys.forEach((k, i) => {
      if (numeric[i]) lines.push(`v = row.${k}; if (typeof v !== "number") return false; nums[p + ${p++}] = v;`);
      else lines.push(`v = row.${k}; if (typeof v !== "string") return false; refs[q + ${q++}] = intern(v);`);
    });
    fn = new Function("row", "nums", "p", "refs", "q", "intern", `let v;\n${lines.join("\n")}\nreturn true;`) as Encoder;
    encoders.set(key, fn);
  }
  return fn;
}

function decoderFor(keys: string[], numeric: boolean[]): Decoder {
  const key = shapeKey(keys, numeric);
  let fn = decoders.get(key);
  if (!fn) {
    let p = 0;
    let q = 0;
    const fields = keys.map((k, i) => (numeric[i] ? `${k}: nums[p + ${p++}]` : `${k}: strs[refs[q + ${q++}]]`));
    fn = new Function("nums", "p", "refs", "q", "strs", `return { ${fields.join(", ")} };`) as Decoder;
    decoders.set(key, fn);
  }
  return fn;
}

/** Encodes rows of one shape; null when a row does not fit it (the caller sends them as they are). */
export function encodeRows(rows: readonly object[]): EncodedRows | null {
  const n = rows.length;
  if (n === 0) return null;
  const first = rows[0] as Record<string, unknown>;
  const keys = Object.keys(first);
  if (!keys.every((k) => IDENTIFIER.test(k))) return null;
  const numeric = keys.map((k) => typeof first[k] === "number");
  const numCount = numeric.filter(Boolean).length;
  if (!keys.every((k, i) => numeric[i] || typeof first[k] === "string")) return null;
  const strCount = keys.length - numCount;
  const nums = new Float64Array(n * numCount);
  const strRefs = new Uint32Array(n * strCount);
  const strs: string[] = [];
  const index = new Map<string, number>();
  let last = "";
  let lastIndex = -1;
  const intern = (v: unknown): number => {
    const s = v as string;
    if (s === last) return lastIndex;
    let i = index.get(s);
    if (i === undefined) {
      i = strs.length;
      strs.push(s);
      index.set(s, i);
    }
    last = s;
    lastIndex = i;
    return i;
  };
  const encode = encoderFor(keys, numeric);
  for (let r = 0; r < n; r++) {
    if (!encode(rows[r] as Record<string, unknown>, nums, r * numCount, strRefs, r * strCount, intern)) return null;
  }
  return { n, keys, numeric, nums, strRefs, strs };
}

/** The rows of `encodeRows`, as plain objects with the keys in their order. */
export function decodeRows(e: EncodedRows): Array<Record<string, number | string>> {
  const decode = decoderFor(e.keys, e.numeric);
  const numCount = e.numeric.filter(Boolean).length;
  const strCount = e.keys.length - numCount;
  const out = new Array<Record<string, number | string>>(e.n);
  for (let r = 0; r < e.n; r++) out[r] = decode(e.nums, r * numCount, e.strRefs, r * strCount, e.strs);
  return out;
}
