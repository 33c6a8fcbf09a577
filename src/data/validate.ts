import { TickwireError } from "../event/errors.js";
import { EXCHANGE_CODES, Interval, type Exchange } from "../trader/constants.js";
import { isValidGatewayName, parseVtSymbol } from "../trader/ids.js";
import type { BarData, TickData } from "../trader/objects.js";
import { TW_DATA_INVALID_BAR, TW_DATA_INVALID_QUERY, TW_DATA_INVALID_TICK } from "./errors.js";
import { showTime } from "./time.js";

/** The intervals a bar may have (`tick` is not a bar). */
export const BAR_INTERVALS: ReadonlySet<string> = new Set<string>([Interval.MINUTE, Interval.HOUR, Interval.DAILY, Interval.WEEKLY]);

const BAR_PRICES = ["openPrice", "highPrice", "lowPrice", "closePrice"] as const;
const BAR_AMOUNTS = ["volume", "turnover", "openInterest"] as const;
const TICK_PRICES = [
  "lastPrice",
  "limitUp",
  "limitDown",
  "openPrice",
  "highPrice",
  "lowPrice",
  "preClose",
  "bidPrice1",
  "bidPrice2",
  "bidPrice3",
  "bidPrice4",
  "bidPrice5",
  "askPrice1",
  "askPrice2",
  "askPrice3",
  "askPrice4",
  "askPrice5",
] as const;
const TICK_AMOUNTS = [
  "volume",
  "turnover",
  "openInterest",
  "lastVolume",
  "bidVolume1",
  "bidVolume2",
  "bidVolume3",
  "bidVolume4",
  "bidVolume5",
  "askVolume1",
  "askVolume2",
  "askVolume3",
  "askVolume4",
  "askVolume5",
] as const;

const nonNegative = (v: unknown): boolean => typeof v === "number" && v >= 0 && v !== Infinity;

// The common case in one expression (a tenth of a save's time went to the field loop below).
function barLooksValid(b: BarData, lastIds: { bar: BarData | undefined }): boolean {
  const prev = lastIds.bar;
  const idsOk =
    prev !== undefined &&
    b.vtSymbol === prev.vtSymbol &&
    b.symbol === prev.symbol &&
    b.exchange === prev.exchange &&
    b.gatewayName === prev.gatewayName &&
    b.interval === prev.interval;
  if (!idsOk) return false;
  return (
    Number.isSafeInteger(b.datetime) &&
    nonNegative(b.openPrice) &&
    nonNegative(b.highPrice) &&
    nonNegative(b.lowPrice) &&
    nonNegative(b.closePrice) &&
    nonNegative(b.volume) &&
    nonNegative(b.turnover) &&
    nonNegative(b.openInterest) &&
    b.highPrice >= b.lowPrice
  );
}

/** Why a bar cannot be stored, or null when it can. */
export function barProblem(bar: BarData): string | null {
  if (bar === null || typeof bar !== "object") return "it is not an object";
  const idProblem = idsProblem(bar);
  if (idProblem) return idProblem;
  if (!BAR_INTERVALS.has(bar.interval)) return `interval ${JSON.stringify(bar.interval)} is not one of ${[...BAR_INTERVALS].join(", ")}`;
  if (!Number.isSafeInteger(bar.datetime)) return `datetime ${JSON.stringify(bar.datetime)} is not an integer epoch ms`;
  for (const f of BAR_PRICES) {
    const v = bar[f];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return `${f} ${String(v)} is not a finite non-negative number`;
  }
  for (const f of BAR_AMOUNTS) {
    const v = bar[f];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return `${f} ${String(v)} is not a finite non-negative number`;
  }
  if (bar.highPrice < bar.lowPrice) return `highPrice ${bar.highPrice} is below lowPrice ${bar.lowPrice}`;
  return null;
}

// Ticks of a recorder interleave symbols: the ids are checked once per instrument and batch, the numbers written out.
function tickLooksValid(t: TickData, seen: Map<string, TickData>): boolean {
  const prev = seen.get(t.vtSymbol);
  if (prev === undefined || t.symbol !== prev.symbol || t.exchange !== prev.exchange || t.gatewayName !== prev.gatewayName) return false;
  return (
    Number.isSafeInteger(t.datetime) &&
    typeof t.name === "string" &&
    nonNegative(t.lastPrice) &&
    nonNegative(t.limitUp) &&
    nonNegative(t.limitDown) &&
    nonNegative(t.openPrice) &&
    nonNegative(t.highPrice) &&
    nonNegative(t.lowPrice) &&
    nonNegative(t.preClose) &&
    nonNegative(t.bidPrice1) &&
    nonNegative(t.bidPrice2) &&
    nonNegative(t.bidPrice3) &&
    nonNegative(t.bidPrice4) &&
    nonNegative(t.bidPrice5) &&
    nonNegative(t.askPrice1) &&
    nonNegative(t.askPrice2) &&
    nonNegative(t.askPrice3) &&
    nonNegative(t.askPrice4) &&
    nonNegative(t.askPrice5) &&
    nonNegative(t.volume) &&
    nonNegative(t.turnover) &&
    nonNegative(t.openInterest) &&
    nonNegative(t.lastVolume) &&
    nonNegative(t.bidVolume1) &&
    nonNegative(t.bidVolume2) &&
    nonNegative(t.bidVolume3) &&
    nonNegative(t.bidVolume4) &&
    nonNegative(t.bidVolume5) &&
    nonNegative(t.askVolume1) &&
    nonNegative(t.askVolume2) &&
    nonNegative(t.askVolume3) &&
    nonNegative(t.askVolume4) &&
    nonNegative(t.askVolume5)
  );
}

/** Why a tick cannot be stored, or null when it can. */
export function tickProblem(tick: TickData): string | null {
  if (tick === null || typeof tick !== "object") return "it is not an object";
  const idProblem = idsProblem(tick);
  if (idProblem) return idProblem;
  if (!Number.isSafeInteger(tick.datetime)) return `datetime ${JSON.stringify(tick.datetime)} is not an integer epoch ms`;
  if (typeof tick.name !== "string") return `name ${JSON.stringify(tick.name)} is not a string`;
  for (const f of TICK_PRICES) {
    const v = tick[f];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return `${f} ${String(v)} is not a finite non-negative number`;
  }
  for (const f of TICK_AMOUNTS) {
    const v = tick[f];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return `${f} ${String(v)} is not a finite non-negative number`;
  }
  return null;
}

function idsProblem(o: { gatewayName: string; symbol: string; exchange: Exchange; vtSymbol: string }): string | null {
  if (!isValidGatewayName(o.gatewayName)) return `gatewayName ${JSON.stringify(o.gatewayName)} is not a non-empty name without "."`;
  if (typeof o.symbol !== "string" || o.symbol.length === 0) return `symbol ${JSON.stringify(o.symbol)} is not a non-empty string`;
  if (typeof o.exchange !== "string" || !EXCHANGE_CODES.has(o.exchange)) return `exchange ${JSON.stringify(o.exchange)} is not an Exchange code`;
  if (o.vtSymbol !== `${o.symbol}.${o.exchange}`) return `vtSymbol ${JSON.stringify(o.vtSymbol)} is not symbol.exchange ("${o.symbol}.${o.exchange}")`;
  return null;
}

/** Throws TW_DATA_INVALID_BAR naming the first invalid bar of the batch. */
export function validateBars(bars: readonly BarData[]): void {
  if (!Array.isArray(bars)) throw new TickwireError(TW_DATA_INVALID_BAR, "saveBars takes an array of bars (BarData from createBar).");
  // A bar with the ids of the previous valid one needs only its numbers checked.
  const last: { bar: BarData | undefined } = { bar: undefined };
  for (let i = 0; i < bars.length; i++) {
    if (bars[i] !== null && typeof bars[i] === "object" && barLooksValid(bars[i], last)) continue;
    const problem = barProblem(bars[i]);
    if (problem === null) last.bar = bars[i];
    if (problem) {
      const b = bars[i] as Partial<BarData> | null;
      throw new TickwireError(
        TW_DATA_INVALID_BAR,
        `Bar ${i} of the batch (${b?.vtSymbol} ${b?.interval} ${showTime(b?.datetime)}) is invalid: ${problem}. Nothing of the batch was saved; fix or drop that bar.`,
        { details: { index: i, bar: b, problem } },
      );
    }
  }
}

/** Throws TW_DATA_INVALID_TICK naming the first invalid tick of the batch. */
export function validateTicks(ticks: readonly TickData[]): void {
  if (!Array.isArray(ticks)) throw new TickwireError(TW_DATA_INVALID_TICK, "saveTicks takes an array of ticks (TickData from createTick).");
  const seen = new Map<string, TickData>();
  for (let i = 0; i < ticks.length; i++) {
    if (ticks[i] !== null && typeof ticks[i] === "object" && tickLooksValid(ticks[i], seen)) continue;
    const problem = tickProblem(ticks[i]);
    if (problem === null) seen.set(ticks[i].vtSymbol, ticks[i]);
    if (problem) {
      const t = ticks[i] as Partial<TickData> | null;
      throw new TickwireError(
        TW_DATA_INVALID_TICK,
        `Tick ${i} of the batch (${t?.vtSymbol} ${showTime(t?.datetime)}) is invalid: ${problem}. Nothing of the batch was saved; fix or drop that tick.`,
        { details: { index: i, tick: t, problem } },
      );
    }
  }
}

/** The symbol and exchange of a query's vtSymbol; TW_DATA_INVALID_QUERY when it is not one. */
export function querySymbol(vtSymbol: unknown): { symbol: string; exchange: Exchange } {
  try {
    if (typeof vtSymbol !== "string") throw new Error("not a string");
    return parseVtSymbol(vtSymbol);
  } catch (cause) {
    throw new TickwireError(TW_DATA_INVALID_QUERY, `Invalid vtSymbol ${JSON.stringify(vtSymbol)}: give symbol.exchange, e.g. "rb2410.SHFE".`, { cause });
  }
}

/** Throws TW_DATA_INVALID_QUERY unless `interval` is a bar interval. */
export function queryInterval(interval: unknown): Interval {
  if (typeof interval !== "string" || !BAR_INTERVALS.has(interval)) {
    throw new TickwireError(TW_DATA_INVALID_QUERY, `Invalid interval ${JSON.stringify(interval)}: give one of ${[...BAR_INTERVALS].join(", ")}.`);
  }
  return interval as Interval;
}
