/**
 * True when structured clone is sure to accept `value`: primitives, and arrays, plain objects,
 * Dates and typed arrays made of them. The walk is cheap and bounded (`budget` nodes); anything
 * it is unsure about (class instances, Maps, cycles, big payloads) returns false, and the caller
 * takes the slower v8.serialize path, which either clones it or says exactly what cannot be.
 */
export function isPlainData(value: unknown, budget = 256): boolean {
  const left = { n: budget };
  return walk(value, left);
}

function walk(v: unknown, left: { n: number }): boolean {
  if (--left.n < 0) return false;
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
    case "undefined":
    case "bigint":
      return true;
    case "object": {
      if (v === null) return true;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!walk(v[i], left)) return false;
        return true;
      }
      if (ArrayBuffer.isView(v) || v instanceof Date) return true;
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) if (!walk((v as Record<string, unknown>)[k], left)) return false;
      return true;
    }
    default:
      return false; // functions and symbols cannot be cloned
  }
}
