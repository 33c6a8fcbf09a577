/**
 * Checks of the requests a caller hands a gateway (orders, cancels, subscriptions, history).
 * Requests come from outside the program (an RPC client, a strategy, a form), so every field is
 * checked before any of it reaches a gateway or an account: a NaN price that slips through
 * makes every later funds check compare against NaN, which is always false.
 *
 * Two levels, used by every gateway alike:
 * - the form (`*FormProblem`): the request is an object, strings are strings, enumerations hold
 *   known codes, numbers are finite. MainEngine refuses a malformed request at the call with
 *   TW_TRADER_BAD_REQUEST: it cannot be represented as an order at all.
 * - the values on a contract's grid (`orderRequestProblem`): volume > 0, whole lots of the
 *   minimum volume, prices > 0 on the tick, both in range. A gateway turns such a problem into a
 *   REJECTED order with the reason in `statusMsg`, as an exchange would.
 */
import { TickwireError } from "../event/errors.js";
import { Direction, EXCHANGE_CODES, Interval, Offset, OrderType } from "./constants.js";
import { ID_SEPARATOR } from "./ids.js";

/** What is wrong with a request: the field and a sentence saying what it must be. */
export interface RequestProblem {
  field: string;
  reason: string;
}

/** The grid a contract's orders must be on (a ContractData has both fields). */
export interface OrderGrid {
  priceTick: number;
  minVolume: number;
}

/**
 * Most steps of the grid a price or volume may span (1e12 ticks, 1e12 lots): far beyond any real
 * order, and small enough that grid arithmetic in integer units (steps × units of the step) stays
 * exact in a double (< 2^53). A volume of 1e18 lots is out of range, not merely unaffordable.
 */
export const MAX_GRID_STEPS = 1e12;

/** Prices or volumes this close to a grid point (in steps) count as on it (0.1 + 0.2 is 0.30000000000000004). */
const GRID_TOLERANCE = 1e-6;

const DIRECTIONS = new Set<string>([Direction.LONG, Direction.SHORT]);
const ORDER_TYPES = new Set<string>(Object.values(OrderType));
const OFFSETS = new Set<string>(Object.values(Offset));
const INTERVALS = new Set<string>(Object.values(Interval));
/** Order types whose price is a limit (or a stop trigger) and so must be a price on the grid. */
const PRICED_TYPES = new Set<string>([OrderType.LIMIT, OrderType.FAK, OrderType.FOK, OrderType.STOP]);

/** A value for a message: never throws (a BigInt, a symbol, an object with a throwing toString). */
export function describeValue(v: unknown): string {
  try {
    if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "object" && v !== null) return Array.isArray(v) ? "an array" : "an object";
    return String(v);
  } catch {
    return typeof v;
  }
}

function problem(field: string, reason: string): RequestProblem {
  return { field, reason };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** symbol, exchange and (when given) vtSymbol: the instrument a request is about. */
function instrumentProblem(req: Record<string, unknown>): RequestProblem | undefined {
  const { symbol, exchange, vtSymbol } = req;
  if (typeof symbol !== "string" || symbol.length === 0) return problem("symbol", `symbol must be a non-empty string, got ${describeValue(symbol)}`);
  if (typeof exchange !== "string" || !EXCHANGE_CODES.has(exchange)) {
    return problem("exchange", `exchange must be one of the codes of Exchange (e.g. "SHFE", "SIM"), got ${describeValue(exchange)}`);
  }
  // Gateways route by vtSymbol and trade by symbol + exchange: the two must name the same thing.
  if (vtSymbol !== undefined && vtSymbol !== symbol + ID_SEPARATOR + exchange) {
    return problem("vtSymbol", `vtSymbol must be "${symbol}${ID_SEPARATOR}${exchange}" (symbol.exchange), got ${describeValue(vtSymbol)}`);
  }
  return undefined;
}

/**
 * What makes `req` not an order request at all, or undefined: not an object, an instrument that
 * is not strings, a direction other than LONG/SHORT, an unknown type or offset, a volume or
 * price that is not a finite number (NaN, ±Infinity, a string, null), a reference not a string.
 * price, offset and reference may be left out.
 */
export function orderRequestFormProblem(req: unknown): RequestProblem | undefined {
  if (!isRecord(req)) return problem("request", `an order request must be an object, got ${describeValue(req)}`);
  const bad = instrumentProblem(req);
  if (bad) return bad;
  const { direction, type, offset, volume, price, reference } = req;
  if (typeof direction !== "string" || !DIRECTIONS.has(direction)) {
    return problem("direction", `direction must be LONG (buy) or SHORT (sell), got ${describeValue(direction)}`);
  }
  if (typeof type !== "string" || !ORDER_TYPES.has(type)) {
    return problem("type", `unknown order type ${describeValue(type)}: use one of ${[...ORDER_TYPES].join(", ")}`);
  }
  if (offset !== undefined && (typeof offset !== "string" || !OFFSETS.has(offset))) {
    return problem("offset", `offset must be one of ${[...OFFSETS].join(", ")}, got ${describeValue(offset)}`);
  }
  if (!isFiniteNumber(volume)) return problem("volume", `volume must be a finite number > 0, got ${describeValue(volume)}`);
  if (price !== undefined && !isFiniteNumber(price)) {
    return problem("price", `price must be a finite number (0 for none on a MARKET order), got ${describeValue(price)}`);
  }
  if (reference !== undefined && typeof reference !== "string") return problem("reference", `reference must be a string, got ${describeValue(reference)}`);
  return undefined;
}

/** Grid steps of `value` (`value / step`), or why it is not a whole number of steps in range. */
function stepsProblem(field: "price" | "volume", value: number, step: number, name: string): RequestProblem | undefined {
  const n = value / step;
  const whole = Math.round(n);
  if (Math.abs(n - whole) < GRID_TOLERANCE && whole >= 1 && whole <= MAX_GRID_STEPS) return undefined;
  const what = name === "" ? "" : ` of ${name}`;
  if (Math.abs(n - whole) >= GRID_TOLERANCE) {
    return field === "price"
      ? problem(field, `price ${value} is not on the price tick ${step}${what}`)
      : problem(field, `volume ${value} is not a multiple of the minimum volume ${step}${what}`);
  }
  // 1e-9 lots rounds to 0 lots: an order that can never fill.
  if (whole < 1) {
    return field === "price"
      ? problem(field, `price ${value} is below one price tick ${step}${what}`)
      : problem(field, `volume ${value} is below the minimum volume ${step}${what}`);
  }
  if (whole > MAX_GRID_STEPS) return problem(field, `${field} ${value} is out of range: at most ${MAX_GRID_STEPS} × ${step}${what}`);
  return undefined;
}

/**
 * Why an order for a contract on `grid` must be refused, or undefined when it may go to the
 * market: the form (orderRequestFormProblem), then its values (orderValueProblem). `name` names
 * the contract in the reason.
 */
export function orderRequestProblem(req: unknown, grid: OrderGrid, name = ""): RequestProblem | undefined {
  return orderRequestFormProblem(req) ?? orderValueProblem(req as OrderValues, grid, name);
}

/** The fields orderValueProblem reads. */
export interface OrderValues {
  type: string;
  volume: number;
  price?: number;
}

/**
 * The values of a well-formed order (orderRequestFormProblem found nothing) on `grid`: volume > 0
 * in whole lots of the minimum volume (1e-9 lots is below it, not 0), and the price: > 0 on the
 * tick for LIMIT, FAK, FOK and STOP; 0 (none) or such a price for MARKET. Both at most
 * MAX_GRID_STEPS steps.
 */
export function orderValueProblem(r: OrderValues, grid: OrderGrid, name = ""): RequestProblem | undefined {
  if (r.volume <= 0) return problem("volume", `volume must be a number > 0, got ${r.volume}`);
  const volume = stepsProblem("volume", r.volume, grid.minVolume, name);
  if (volume) return volume;
  const price = r.price ?? 0;
  if (PRICED_TYPES.has(r.type)) {
    if (price <= 0) return problem("price", `price must be a number > 0 for a ${r.type} order, got ${price}`);
  } else if (price === 0) {
    return undefined;
  } else if (price < 0) {
    return problem("price", `price must be 0 (none) or a price > 0 for a ${r.type} order, got ${price}`);
  }
  return stepsProblem("price", price, grid.priceTick, name);
}

/** What makes `req` not a cancel request, or undefined: orderid a non-empty string, the instrument as in an order. */
export function cancelRequestFormProblem(req: unknown): RequestProblem | undefined {
  if (!isRecord(req)) return problem("request", `a cancel request must be an object, got ${describeValue(req)}`);
  const { orderid } = req;
  if (typeof orderid !== "string" || orderid.length === 0) {
    return problem("orderid", `orderid must be a non-empty string (the order's id at its gateway), got ${describeValue(orderid)}`);
  }
  return instrumentProblem(req);
}

/** What makes `req` not a subscribe request, or undefined. */
export function subscribeRequestFormProblem(req: unknown): RequestProblem | undefined {
  if (!isRecord(req)) return problem("request", `a subscribe request must be an object, got ${describeValue(req)}`);
  return instrumentProblem(req);
}

/** What makes `req` not a history request, or undefined: start and end finite epoch ms, start ≤ end, a known interval. */
export function historyRequestFormProblem(req: unknown): RequestProblem | undefined {
  if (!isRecord(req)) return problem("request", `a history request must be an object, got ${describeValue(req)}`);
  const bad = instrumentProblem(req);
  if (bad) return bad;
  const { start, end, interval } = req;
  if (!isFiniteNumber(start)) return problem("start", `start must be epoch milliseconds, got ${describeValue(start)}`);
  if (!isFiniteNumber(end)) return problem("end", `end must be epoch milliseconds, got ${describeValue(end)}`);
  if (start > end) return problem("start", `start ${start} is after end ${end}`);
  if (typeof interval !== "string" || !INTERVALS.has(interval)) {
    return problem("interval", `interval must be one of ${[...INTERVALS].join(", ")}, got ${describeValue(interval)}`);
  }
  return undefined;
}

/** The typed error for a malformed request (TW_TRADER_BAD_REQUEST); `action` is the call, e.g. "sendOrder". */
export function badRequestError(action: string, p: RequestProblem): TickwireError {
  return new TickwireError("TW_TRADER_BAD_REQUEST", `${action}: ${p.reason}. Fix the request; nothing was sent.`, {
    details: { action, field: p.field },
  });
}
