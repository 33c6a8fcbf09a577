import { errorCode, errorText, type Outcome } from "./DeliveryRunner.js";
import { HEADER } from "./EventCenter.js";

/*
 * The x-tw-* headers a retried or dead-lettered copy of a message carries, written and read the
 * same way by both brokers.
 */

/** Longest error text put in a dead letter's header. */
const MAX_ERROR_TEXT = 1000;

/** Headers of the copy a failed message becomes: sent round again, or to the dead-letter queue. */
export function failureHeaders(
  outcome: Exclude<Outcome, { kind: "ack" }>,
  headers: Readonly<Record<string, unknown>> | undefined,
  route: { exchange: string; routingKey: string; queue: string },
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...headers };
  // The first publish's routing is kept: the copy itself goes through the default exchange.
  out[HEADER.exchange] ??= route.exchange;
  out[HEADER.routingKey] ??= route.routingKey;
  if (outcome.kind === "retry") {
    out[HEADER.attempt] = outcome.attempt - 1;
  } else {
    out[HEADER.attempt] = outcome.attempts;
    out[HEADER.queue] = route.queue;
    out[HEADER.error] = errorText(outcome.error).slice(0, MAX_ERROR_TEXT);
    out[HEADER.errorCode] = errorCode(outcome.error);
  }
  return out;
}

/**
 * 1 on a first delivery; 1 + the failed handler runs recorded on a copy after that. Any publisher
 * can set the count, so only a positive number counts, and never more than `maxRedeliveries`:
 * whatever it says, a message gets at most `maxRedeliveries + 1` handler runs.
 */
export function attemptOf(failed: unknown, maxRedeliveries: number): number {
  if (typeof failed !== "number" || !(failed > 0)) return 1; // NaN, negatives, strings: a first delivery
  return Math.min(Math.floor(failed), maxRedeliveries) + 1;
}

/** The exchange and routing key the message was first published with. */
export function originalRoute(headers: Readonly<Record<string, unknown>>, exchange: string, routingKey: string): { exchange: string; routingKey: string } {
  const ex = headers[HEADER.exchange];
  const key = headers[HEADER.routingKey];
  return {
    exchange: (typeof ex === "string" ? ex : exchange) || "amq.default",
    routingKey: typeof key === "string" ? key : routingKey,
  };
}

const DROP = Symbol("unwritable");
const INT64 = 2 ** 63;
/** Ranges `[min, max)` of the integer types a typed header value (`{ "!": type, value }`) may name. */
const TYPED_INTS: Readonly<Record<string, readonly [number, number]>> = {
  byte: [-128, 128],
  int8: [-128, 128],
  unsignedbyte: [0, 256],
  uint8: [0, 256],
  short: [-0x8000, 0x8000],
  int16: [-0x8000, 0x8000],
  unsignedshort: [0, 0x10000],
  uint16: [0, 0x10000],
  int: [-0x80000000, 0x80000000],
  int32: [-0x80000000, 0x80000000],
  unsignedint: [0, 0x100000000],
  uint32: [0, 0x100000000],
  long: [-INT64, INT64],
  int64: [-INT64, INT64],
  timestamp: [0, 2 ** 64],
};

/**
 * amqplib writes a number as a double only when it has a fraction (below 2^50) or is >= 2^63;
 * anything else as a 64-bit integer, which NaN, -Infinity and numbers below -2^63 (a double
 * such as -1e300 from another client) cannot be: it throws a RangeError.
 */
function numberValue(n: number): unknown {
  const asInteger = !(n >= INT64 || (Math.abs(n) < 2 ** 50 && Math.floor(n) !== n));
  return asInteger && !(n >= -INT64) ? { "!": "double", value: n } : n;
}

/** The value as amqplib can write it, or DROP. Mirrors amqplib 2's encodeFieldValue. */
function writableValue(v: unknown): unknown {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return numberValue(v);
    case "object":
      if (v === null || Buffer.isBuffer(v)) return v;
      if (Array.isArray(v)) {
        const out = v.map(writableValue);
        return out.includes(DROP) ? DROP : out;
      }
      if (Object.hasOwn(v, "!")) return typedValue(v as { "!": unknown; value?: unknown });
      return writableTable(v as Record<string, unknown>) ?? DROP;
    default:
      return DROP; // undefined inside an array, bigint, symbol, function
  }
}

function typedValue(v: { "!": unknown; value?: unknown }): unknown {
  const type = v["!"];
  const value = v.value;
  if (type === "double" || type === "float64" || type === "float") return typeof value === "number" ? v : DROP;
  if (type === "decimal") {
    const d = value as { places?: unknown; digits?: unknown } | null;
    const ok = typeof d === "object" && d !== null && Number.isInteger(d.places) && (d.places as number) >= 0 && (d.places as number) < 256;
    return ok && Number.isInteger(d.digits) && (d.digits as number) >= 0 && (d.digits as number) <= 0xffffffff ? v : DROP;
  }
  const range = typeof type === "string" && Object.hasOwn(TYPED_INTS, type) ? TYPED_INTS[type] : undefined;
  if (range && Number.isInteger(value) && (value as number) >= range[0] && (value as number) < range[1]) return v;
  return DROP;
}

/** A table amqplib can write, or undefined when one of its values (or names) cannot be. */
function writableTable(t: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key in t) {
    if (t[key] === undefined) continue;
    const v = writableValue(t[key]);
    if (v === DROP || Buffer.byteLength(key) > 255) return undefined;
    out[key] = v;
  }
  return out;
}

/**
 * Headers that amqplib can write again: a number only a double can hold becomes a typed double
 * (the same value on the wire), and a header that cannot be written at all is left out and named
 * in `x-tw-dropped-headers`.
 */
export function writableHeaders(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const key in headers) {
    if (headers[key] === undefined) continue;
    const v = writableValue(headers[key]);
    if (v === DROP || Buffer.byteLength(key) > 255) dropped.push(key);
    else out[key] = v;
  }
  if (dropped.length > 0) out[HEADER.droppedHeaders] = dropped.join(",").slice(0, MAX_ERROR_TEXT);
  return out;
}

/** Only the x-tw-* headers tickwire wrote (always writable); the others named in `x-tw-dropped-headers`. */
export function tickwireHeaders(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const key in headers) {
    if (key === HEADER.droppedHeaders) continue;
    const v = headers[key];
    if (key.startsWith("x-tw-") && (typeof v === "string" || Number.isSafeInteger(v))) out[key] = v;
    else dropped.push(key);
  }
  if (dropped.length > 0) out[HEADER.droppedHeaders] = dropped.join(",").slice(0, MAX_ERROR_TEXT);
  return out;
}
