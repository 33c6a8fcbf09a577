/** The backtest's parameters (`setParameters`): what can be given, checked, with the defaults filled in. */
import { TickwireError } from "../../event/errors.js";
import { Interval, type Exchange } from "../../trader/constants.js";
import { parseVtSymbol } from "../../trader/ids.js";
import { TW_BACKTEST_BAD_OPTION, toEpochMs } from "./dates.js";

export const DAY_MS = 86_400_000;
/** Milliseconds of each interval a backtest replays. */
export const INTERVAL_MS: Record<string, number> = { "1m": 60_000, "1h": 3_600_000, d: DAY_MS, w: 7 * DAY_MS, tick: 1 };

/** How orders fill. */
export type FillModel = "vnpy" | "strict";

export interface BacktestParameters {
  vtSymbol: string;
  /** Bar interval; default 1m. */
  interval?: Interval;
  /** First bar replayed (inclusive); earlier history serves `loadBar`. Default: the first datum. */
  start?: number | Date | string;
  /** Last bar replayed (inclusive). Default: the last datum. */
  end?: number | Date | string;
  /** Commission as a fraction of turnover; default 0. */
  rate?: number;
  /** Money cost per fill, per unit of volume × size; default 0. */
  slippage?: number;
  /** Contract multiplier; default 1. */
  size?: number;
  /** Order prices are rounded to it (0: no rounding); default 0. */
  pricetick?: number;
  /** Starting balance; default 1,000,000. */
  capital?: number;
  /** Replay bars (`"bar"`, default) or ticks. */
  mode?: "bar" | "tick";
  riskFree?: number;
  /** Trading days per year for annualizing; default 240. */
  annualDays?: number;
  /** Half-life in days of the EWM Sharpe; default 120. */
  halfLife?: number;
  /** IANA zone whose calendar dates group the days; default "UTC". */
  timezone?: string;
  /**
   * `"vnpy"` (default): vnpy's rules exactly. `"strict"`: the bar's (or the touch's) volume caps
   * fills (partial fills, shared by all orders of the bar), a limit at the touch fills only once
   * the price trades through it, and no order fills on the bar it was sent in.
   */
  fillModel?: FillModel;
}

/** The parameters resolved: every default filled in, start/end as epoch ms (±Infinity when not given). */
export interface Settings {
  vtSymbol: string;
  symbol: string;
  exchange: Exchange;
  interval: Interval;
  start: number;
  end: number;
  rate: number;
  slippage: number;
  size: number;
  pricetick: number;
  capital: number;
  mode: "bar" | "tick";
  riskFree: number;
  annualDays: number;
  halfLife: number;
  timezone: string;
  fillModel: FillModel;
}

export function bad(message: string): TickwireError {
  return new TickwireError(TW_BACKTEST_BAD_OPTION, message);
}

function finite(name: string, v: unknown, min: number, orEqual = true): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (orEqual ? v < min : v <= min)) {
    throw bad(`${name} must be a finite number ${orEqual ? ">=" : ">"} ${min}, got ${JSON.stringify(v)}.`);
  }
  return v;
}

/** Checks `params` (TW_BACKTEST_BAD_OPTION saying what to pass) and fills in the defaults. */
export function resolveParameters(params: BacktestParameters): Settings {
  if (typeof params !== "object" || params === null) throw bad("setParameters takes an object ({ vtSymbol, interval, start, ... }).");
  let parsed: { symbol: string; exchange: Exchange };
  try {
    parsed = parseVtSymbol(params.vtSymbol);
  } catch (err) {
    throw new TickwireError(TW_BACKTEST_BAD_OPTION, `vtSymbol must be "symbol.EXCHANGE" (e.g. "rb2410.SHFE"), got ${JSON.stringify(params.vtSymbol)}.`, {
      cause: err,
    });
  }
  const interval = params.interval ?? Interval.MINUTE;
  if (!(interval in INTERVAL_MS)) throw bad(`interval must be one of ${Object.keys(INTERVAL_MS).join(", ")}, got ${JSON.stringify(interval)}.`);
  const mode = params.mode ?? "bar";
  if (mode !== "bar" && mode !== "tick") throw bad(`mode must be "bar" or "tick", got ${JSON.stringify(mode)}.`);
  const fillModel = params.fillModel ?? "vnpy";
  if (fillModel !== "vnpy" && fillModel !== "strict") throw bad(`fillModel must be "vnpy" or "strict", got ${JSON.stringify(fillModel)}.`);
  const start = params.start === undefined ? -Infinity : toEpochMs(params.start, "start");
  const end = params.end === undefined ? Infinity : toEpochMs(params.end, "end");
  if (start > end) throw bad(`start (${new Date(start).toISOString()}) must not be after end (${new Date(end).toISOString()}).`);
  const timezone = params.timezone ?? "UTC";
  return {
    vtSymbol: params.vtSymbol,
    symbol: parsed.symbol,
    exchange: parsed.exchange,
    interval,
    start,
    end,
    rate: finite("rate", params.rate ?? 0, 0),
    slippage: finite("slippage", params.slippage ?? 0, 0),
    size: finite("size", params.size ?? 1, 0, false),
    pricetick: finite("pricetick", params.pricetick ?? 0, 0),
    capital: finite("capital", params.capital ?? 1_000_000, 0, false),
    mode,
    riskFree: finite("riskFree", params.riskFree ?? 0, -Infinity),
    annualDays: finite("annualDays", params.annualDays ?? 240, 0, false),
    halfLife: finite("halfLife", params.halfLife ?? 120, 0, false),
    timezone,
    fillModel,
  };
}
