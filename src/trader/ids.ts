import { TickwireError } from "../event/errors.js";
import { EXCHANGE_CODES, type Direction, type Exchange } from "./constants.js";

/**
 * The derived identifiers of the domain, built and parsed in this one file:
 *   vtSymbol     = symbol.exchange                (parsed on the LAST dot: symbols may hold dots)
 *   vtOrderid    = gatewayName.orderid
 *   vtTradeid    = gatewayName.tradeid
 *   vtAccountid  = gatewayName.accountid
 *   vtPositionid = gatewayName.vtSymbol.direction
 * Gateway names, order/trade/account ids and exchange codes may not contain the separator,
 * so every id above splits back unambiguously.
 */
export const ID_SEPARATOR = ".";

/** The error code of every rejected identifier. */
export const TW_TRADER_INVALID_ID = "TW_TRADER_INVALID_ID";

function invalid(kind: string, value: unknown, why: string): TickwireError {
  return new TickwireError(TW_TRADER_INVALID_ID, `Invalid ${kind} ${JSON.stringify(value)}: ${why}.`, {
    details: { kind, value },
  });
}

/**
 * Throws TW_TRADER_INVALID_ID unless `value` is a non-empty string without the separator.
 * `kind` names the field in the message ("gatewayName", "orderid", ...).
 */
export function assertIdPart(kind: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value.length === 0) {
    throw invalid(kind, value, "it must be a non-empty string");
  }
  if (value.includes(ID_SEPARATOR)) {
    throw invalid(kind, value, `it must not contain "${ID_SEPARATOR}" (the id separator); rename it`);
  }
}

/** Throws TW_TRADER_INVALID_ID unless `value` is a non-empty string (dots allowed). */
export function assertSymbol(value: unknown): asserts value is string {
  if (typeof value !== "string" || value.length === 0) {
    throw invalid("symbol", value, "it must be a non-empty string");
  }
}

/** Throws TW_TRADER_INVALID_ID unless `value` is one of the codes of `Exchange`. */
export function assertExchange(value: unknown): asserts value is Exchange {
  if (typeof value !== "string" || !EXCHANGE_CODES.has(value)) {
    throw invalid("exchange", value, 'it must be one of the codes of Exchange (e.g. "SHFE", "SIM", "LOCAL")');
  }
}

/** True when `value` is a valid gateway name (non-empty, no separator). */
export function isValidGatewayName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && !value.includes(ID_SEPARATOR);
}

export function vtSymbolOf(symbol: string, exchange: Exchange): string {
  return symbol + ID_SEPARATOR + exchange;
}

export function vtOrderidOf(gatewayName: string, orderid: string): string {
  return gatewayName + ID_SEPARATOR + orderid;
}

export function vtTradeidOf(gatewayName: string, tradeid: string): string {
  return gatewayName + ID_SEPARATOR + tradeid;
}

export function vtAccountidOf(gatewayName: string, accountid: string): string {
  return gatewayName + ID_SEPARATOR + accountid;
}

export function vtPositionidOf(gatewayName: string, vtSymbol: string, direction: Direction): string {
  return gatewayName + ID_SEPARATOR + vtSymbol + ID_SEPARATOR + direction;
}

// vtSymbols made by the factories, by exchange then symbol. Reusing one string per instrument
// skips re-validation, and lets every Map keyed by vtSymbol (OMS caches, handler tables) use the
// hash V8 caches on the string instead of hashing a fresh concatenation per tick.
const internedVtSymbols = new Map<string, Map<string, string>>();
let internedCount = 0;
const MAX_INTERNED = 100_000;

/**
 * The vtSymbol of a validated symbol and exchange (TW_TRADER_INVALID_ID otherwise), as one shared
 * string per instrument. What the object factories use.
 */
export function checkedVtSymbol(symbol: string, exchange: Exchange): string {
  let bySymbol = internedVtSymbols.get(exchange);
  if (bySymbol !== undefined) {
    const hit = bySymbol.get(symbol);
    if (hit !== undefined) return hit;
  }
  assertSymbol(symbol);
  assertExchange(exchange);
  if (internedCount >= MAX_INTERNED) {
    // A universe this large is unusual: start over rather than grow without bound.
    internedVtSymbols.clear();
    internedCount = 0;
    bySymbol = undefined;
  }
  if (bySymbol === undefined) {
    bySymbol = new Map<string, string>();
    internedVtSymbols.set(exchange, bySymbol);
  }
  const vtSymbol = vtSymbolOf(symbol, exchange);
  bySymbol.set(symbol, vtSymbol);
  internedCount++;
  return vtSymbol;
}

/** Splits "rb2410.SHFE" (or "BTC.USDT.BINANCE") on the last dot; throws TW_TRADER_INVALID_ID. */
export function parseVtSymbol(vtSymbol: string): { symbol: string; exchange: Exchange } {
  if (typeof vtSymbol !== "string") throw invalid("vtSymbol", vtSymbol, "it must be a string");
  const i = vtSymbol.lastIndexOf(ID_SEPARATOR);
  if (i <= 0) throw invalid("vtSymbol", vtSymbol, 'it must look like "<symbol>.<exchange>", e.g. "rb2410.SHFE"');
  const symbol = vtSymbol.slice(0, i);
  const exchange = vtSymbol.slice(i + 1);
  assertExchange(exchange);
  return { symbol, exchange };
}

/** Splits "gatewayName.localid" (vtOrderid, vtTradeid, vtAccountid); throws TW_TRADER_INVALID_ID. */
function parseGatewayKeyed(kind: string, value: string): { gatewayName: string; id: string } {
  if (typeof value !== "string") throw invalid(kind, value, "it must be a string");
  const i = value.indexOf(ID_SEPARATOR);
  if (i <= 0 || i === value.length - 1 || value.indexOf(ID_SEPARATOR, i + 1) !== -1) {
    throw invalid(kind, value, 'it must look like "<gatewayName>.<id>" with exactly one dot');
  }
  return { gatewayName: value.slice(0, i), id: value.slice(i + 1) };
}

export function parseVtOrderid(vtOrderid: string): { gatewayName: string; orderid: string } {
  const { gatewayName, id } = parseGatewayKeyed("vtOrderid", vtOrderid);
  return { gatewayName, orderid: id };
}

export function parseVtTradeid(vtTradeid: string): { gatewayName: string; tradeid: string } {
  const { gatewayName, id } = parseGatewayKeyed("vtTradeid", vtTradeid);
  return { gatewayName, tradeid: id };
}

export function parseVtAccountid(vtAccountid: string): { gatewayName: string; accountid: string } {
  const { gatewayName, id } = parseGatewayKeyed("vtAccountid", vtAccountid);
  return { gatewayName, accountid: id };
}
