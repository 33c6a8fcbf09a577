/**
 * JSON text exactly as Python's `json.dumps(obj)` writes it with default arguments, which is what
 * aioquant puts on the wire: `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`
 * (`ensure_ascii=True`), `NaN`/`Infinity` written bare, floats in Python's `repr` form
 * (`1e-05`, `1e+16`). The text inside our zlib payloads is byte-identical to aioquant's; the
 * compressed bytes may differ where the zlib builds differ (Node bundles Chromium's zlib).
 *
 * Numbers: JavaScript has one number type, so an integral value below 1e16 is written as an
 * integer (`3`, as Python writes an int) and everything else as Python writes a float.
 */
export function pythonJson(value: unknown): string {
  return write(value, 0);
}

const NEEDS_ESCAPE = /[^\x20-\x7e]/;
const NON_ASCII = /[^\x20-\x7e]/g;
const MAX_DEPTH = 1000;

function escapeChar(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}

function writeString(s: string): string {
  // Printable ASCII without quotes or backslashes (names, symbols, most data) needs no escaping.
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return '"' + s + '"';
  // JSON.stringify already escapes quotes, backslashes and control characters the way Python does.
  const quoted = JSON.stringify(s);
  return NEEDS_ESCAPE.test(quoted) ? quoted.replace(NON_ASCII, escapeChar) : quoted;
}

/**
 * `"key": ` and `, "key": ` for the object keys seen lately: the same few keys come back in every
 * event, so their text is written (and escaped) once.
 */
const keyTexts = new Map<string, readonly [first: string, next: string]>();
const MAX_KEY_TEXTS = 4096;

function keyText(key: string): readonly [first: string, next: string] {
  let text = keyTexts.get(key);
  if (text === undefined) {
    if (keyTexts.size >= MAX_KEY_TEXTS) keyTexts.clear();
    const first = writeString(key) + ": ";
    text = [first, ", " + first];
    keyTexts.set(key, text);
  }
  return text;
}

export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  const a = Math.abs(x);
  // Integers as Python writes ints; in [1e-4, 1e16) both languages write the same shortest fixed form.
  if (a < 1e16 && (a >= 1e-4 || Number.isInteger(x))) return String(x);
  const exp = x.toExponential(); // shortest round-trip digits, e.g. "1.2345e-5"
  const at = exp.indexOf("e");
  const e = Number(exp.slice(at + 1));
  // Python's repr switches to exponent form below 1e-4 and from 1e16 on.
  if (e < -4 || e >= 16) {
    const sign = e < 0 ? "-" : "+";
    const digits = String(Math.abs(e)).padStart(2, "0");
    return exp.slice(0, at) + "e" + sign + digits;
  }
  return String(x); // JavaScript writes fixed notation in this whole range
}

function write(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new RangeError("value nested too deeply for JSON");
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      return pythonFloat(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "object": {
      if (value === null) return "null";
      const withJson = value as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === "function") return write(withJson.toJSON(), depth + 1);
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ", ";
          const v: unknown = value[i];
          out += v === undefined || typeof v === "function" || typeof v === "symbol" ? "null" : write(v, depth + 1);
        }
        return out + "]";
      }
      let out = "{";
      let first = true;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
        out += keyText(key)[first ? 0 : 1] + write(v, depth + 1);
        first = false;
      }
      return out + "}";
    }
    default:
      return "null"; // undefined, functions and symbols at top level, as JSON.stringify would drop them
  }
}

const PY_CONSTANT = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;
const NAN_MARK = "\u0000tw:NaN";
const INF_MARK = "\u0000tw:Infinity";
const NEG_INF_MARK = "\u0000tw:-Infinity";

/**
 * JSON.parse that also accepts the bare `NaN`, `Infinity` and `-Infinity` Python writes. The fast
 * path is plain JSON.parse; only text that fails it is scanned for those constants.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    if (!/NaN|Infinity/.test(text)) throw first;
    const marked = text.replace(PY_CONSTANT, (m) =>
      m.charCodeAt(0) === 34 ? m : JSON.stringify(m === "NaN" ? NAN_MARK : m === "Infinity" ? INF_MARK : NEG_INF_MARK),
    );
    return JSON.parse(marked, (_k, v: unknown) => (v === NAN_MARK ? NaN : v === INF_MARK ? Infinity : v === NEG_INF_MARK ? -Infinity : v));
  }
}
