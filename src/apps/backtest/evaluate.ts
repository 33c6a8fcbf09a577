/**
 * One parameter set, backtested from scratch: what every optimizer (threads, RabbitMQ workers)
 * runs, so a result always equals a single backtest with the same parameters.
 */
import { TickwireError } from "../../event/errors.js";
import { createBar, type BarData } from "../../trader/objects.js";
import { parseVtSymbol } from "../../trader/ids.js";
import type { Exchange, Interval } from "../../trader/constants.js";
import type { CtaStrategyClass, StrategySetting } from "../../strategy/CtaTemplate.js";
import { BacktestingEngine, type BacktestParameters } from "./BacktestingEngine.js";
import type { BacktestStatistics } from "./statistics.js";
import { loadStrategyClass } from "./strategyModule.js";

export const TW_BACKTEST_OPTIMIZE = "TW_BACKTEST_OPTIMIZE";

/** Bars packed as columns in one shared buffer, so every thread reads them without a copy. */
export interface PackedBars {
  /** Identifies this history in a thread's cache. */
  key: string;
  gatewayName: string;
  interval: string;
  count: number;
  /** datetime, open, high, low, close, volume, turnover, openInterest: `count` values each. */
  columns: Float64Array;
}

/** Everything a thread, process or machine needs to backtest a parameter set (plain data). */
export interface OptimizationJob {
  /** Path or file URL of the strategy module (imported by each worker). */
  strategy: string;
  /** Export name of the class; default: the default export or the only strategy exported. */
  className?: string;
  parameters: BacktestParameters;
  /** Setting every parameter set starts from (a set's values override it). */
  setting?: StrategySetting;
  /** The bars (packed) or a `tickwire/data` database URL to stream them from. */
  history: PackedBars | { database: string };
}

export interface OptimizationResult {
  /** The optimized parameters of this set. */
  setting: StrategySetting;
  /** The target statistic's value (the sort key). */
  target: number;
  statistics: BacktestStatistics;
}

const FIELDS = 8;

export function packBars(bars: readonly BarData[]): PackedBars {
  const n = bars.length;
  const columns = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * FIELDS * n));
  for (let i = 0; i < n; i++) {
    const b = bars[i];
    columns[i] = b.datetime;
    columns[n + i] = b.openPrice;
    columns[2 * n + i] = b.highPrice;
    columns[3 * n + i] = b.lowPrice;
    columns[4 * n + i] = b.closePrice;
    columns[5 * n + i] = b.volume;
    columns[6 * n + i] = b.turnover;
    columns[7 * n + i] = b.openInterest;
  }
  return {
    key: `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    gatewayName: bars[0]?.gatewayName ?? "DB",
    interval: bars[0]?.interval ?? "1m",
    count: n,
    columns,
  };
}

export function unpackBars(p: PackedBars, vtSymbol: string): BarData[] {
  const { symbol, exchange } = parseVtSymbol(vtSymbol);
  const n = p.count;
  const c = p.columns;
  const out = new Array<BarData>(n);
  for (let i = 0; i < n; i++) {
    out[i] = createBar({
      gatewayName: p.gatewayName,
      symbol,
      exchange: exchange as Exchange,
      interval: p.interval as Interval,
      datetime: c[i],
      openPrice: c[n + i],
      highPrice: c[2 * n + i],
      lowPrice: c[3 * n + i],
      closePrice: c[4 * n + i],
      volume: c[5 * n + i],
      turnover: c[6 * n + i],
      openInterest: c[7 * n + i],
    });
  }
  return out;
}

// Per thread / process: the unpacked bars of the last histories seen (a job sends the same key).
const barCache = new Map<string, BarData[]>();

function barsOf(p: PackedBars, vtSymbol: string): BarData[] {
  const key = `${p.key}|${vtSymbol}`;
  let bars = barCache.get(key);
  if (bars === undefined) {
    if (barCache.size >= 4) barCache.delete(barCache.keys().next().value!);
    bars = unpackBars(p, vtSymbol);
    barCache.set(key, bars);
  }
  return bars;
}

// Per thread / process: the strategy classes imported. An import() of a module already loaded
// still goes through the loader (and, under tsx, its hooks thread): ~0.2 ms, a tenth of a
// 20k-bar backtest. The module map keeps a module once imported anyway, so this changes nothing.
const classCache = new Map<string, Promise<CtaStrategyClass>>();

function strategyClassOf(job: OptimizationJob): Promise<CtaStrategyClass> {
  const key = `${job.strategy}\0${job.className ?? ""}`;
  let cls = classCache.get(key);
  if (cls === undefined) {
    cls = loadStrategyClass(job.strategy, job.className);
    classCache.set(key, cls);
    // A failed import is tried again by the next set (the error is the caller's to report).
    cls.catch(() => classCache.delete(key));
  }
  return cls;
}

/** Backtest one parameter set with a fresh engine and strategy. */
export async function evaluateSetting(job: OptimizationJob, setting: StrategySetting, target: string): Promise<OptimizationResult> {
  const cls = await strategyClassOf(job);
  const engine = new BacktestingEngine();
  try {
    engine.setParameters(job.parameters);
    engine.addStrategy(cls, { ...job.setting, ...setting });
    if ("database" in job.history) await engine.loadData(job.history.database);
    else engine.setHistory(barsOf(job.history, job.parameters.vtSymbol));
    await engine.runBacktesting();
    engine.calculateResult();
    const statistics = engine.calculateStatistics();
    return { setting, target: targetValue(statistics, target), statistics };
  } finally {
    await engine.close();
  }
}

export function targetValue(statistics: BacktestStatistics, target: string): number {
  const v = (statistics as unknown as Record<string, unknown>)[target];
  if (typeof v !== "number") {
    const names = Object.entries(statistics)
      .filter(([, x]) => typeof x === "number")
      .map(([k]) => k);
    throw new TickwireError(TW_BACKTEST_OPTIMIZE, `The target "${target}" is not a numeric statistic; use one of: ${names.join(", ")}.`);
  }
  return v;
}
