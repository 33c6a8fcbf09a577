import { TickwireError } from "../../event/errors.js";
import { Direction, Interval, OrderType, Status, type Exchange, type Offset } from "../../trader/constants.js";
import { parseVtSymbol } from "../../trader/ids.js";
import { createOrder, type BarData, type OrderData, type TickData, type TradeData } from "../../trader/objects.js";
import {
  createStrategy,
  isPromiseLike,
  type CtaStrategyClass,
  type CtaTemplate,
  type StrategySetting,
} from "../../strategy/CtaTemplate.js";
import {
  EngineType,
  STOPORDER_PREFIX,
  StopOrderStatus,
  type HostedStrategy,
  type StopOrder,
  type StrategyHost,
} from "../../strategy/StrategyHost.js";
import { openDatabase } from "../../data/openDatabase.js";
import type { Database } from "../../data/types.js";
import { roundTo } from "../../strategy/roundTo.js";
import { ActiveSet } from "./ActiveSet.js";
import { OrderColumns, TradeColumns, type Instrument } from "./columns.js";
import { calculateBalance, calculatePnl, newDailyResult, type DailyResult } from "./DailyResult.js";
import { DayClock, TW_BACKTEST_BAD_OPTION, toEpochMs } from "./dates.js";
import { analyzeTrades, type TradeAnalysis } from "./roundTrips.js";
import { calculateStatistics, emptyStatistics, type BacktestStatistics } from "./statistics.js";
import { writeReport, type ReportOptions } from "./report.js";

export const TW_BACKTEST_NO_STRATEGY = "TW_BACKTEST_NO_STRATEGY";
export const TW_BACKTEST_NO_DATA = "TW_BACKTEST_NO_DATA";
export const TW_BACKTEST_HISTORY = "TW_BACKTEST_HISTORY";
export const TW_BACKTEST_STRATEGY_ERROR = "TW_BACKTEST_STRATEGY_ERROR";
export const TW_BACKTEST_RUNNING = "TW_BACKTEST_RUNNING";

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

/** A source of stored history: what `tickwire/data`'s Database offers. */
export interface HistorySource {
  streamBars(query: { vtSymbol: string; interval: Interval; start?: number; end?: number }): AsyncIterable<BarData[]>;
  streamTicks(query: { vtSymbol: string; start?: number; end?: number }): AsyncIterable<TickData[]>;
  loadBars(query: { vtSymbol: string; interval: Interval; start?: number; end?: number }): Promise<BarData[]>;
  loadTicks(query: { vtSymbol: string; start?: number; end?: number }): Promise<TickData[]>;
}

export interface RunOptions {
  /** Called every `progressEvery` data (default 1% of an in-memory history, else 100,000). */
  onProgress?: (done: number, total: number | undefined) => void;
  progressEvery?: number;
}

const GATEWAY = "BACKTESTING";
const DAY_MS = 86_400_000;
const INTERVAL_MS: Record<string, number> = { "1m": 60_000, "1h": 3_600_000, d: DAY_MS, w: 7 * DAY_MS, tick: 1 };

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

/** A pending limit order with the bar it was sent on (for the strict model). */
interface ActiveOrder {
  order: OrderData;
  sentAt: number;
  /** Position in `limitOrders` (order number − 1). */
  index: number;
}

interface ActiveStop {
  stop: StopOrder;
  sentAt: number;
  index: number;
}

/** A copy of `o` in a new state, built field by field in OrderData's key order (one hidden class). */
function orderWith(o: OrderData, traded: number, status: Status): OrderData {
  return {
    gatewayName: o.gatewayName,
    symbol: o.symbol,
    exchange: o.exchange,
    vtSymbol: o.vtSymbol,
    orderid: o.orderid,
    vtOrderid: o.vtOrderid,
    type: o.type,
    direction: o.direction,
    offset: o.offset,
    price: o.price,
    volume: o.volume,
    traded,
    status,
    datetime: o.datetime,
    reference: o.reference,
    statusMsg: o.statusMsg,
  };
}

/** First index of sorted `h` at or after `t` (binary search). */
function firstAtOrAfter(h: readonly { datetime: number }[], t: number): number {
  let lo = 0;
  let hi = h.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (h[mid].datetime < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bad(message: string): TickwireError {
  return new TickwireError(TW_BACKTEST_BAD_OPTION, message);
}

function finite(name: string, v: unknown, min: number, orEqual = true): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (orEqual ? v < min : v <= min)) {
    throw bad(`${name} must be a finite number ${orEqual ? ">=" : ">"} ${min}, got ${JSON.stringify(v)}.`);
  }
  return v;
}

/**
 * vnpy's BacktestingEngine: replays bars or ticks through one CtaTemplate strategy with vnpy's
 * fill rules (or the stricter model), marks the result to market by date and computes vnpy's
 * statistics. It is the strategy's host: the strategy's order calls land here.
 */
export class BacktestingEngine implements StrategyHost {
  readonly engineType = EngineType.BACKTESTING;
  readonly gatewayName = GATEWAY;
  private p: Settings | null = null;
  private clock = new DayClock("UTC");

  private strategyClass: CtaStrategyClass | null = null;
  private setting: StrategySetting = {};
  /** The strategy of the current (or last) run. */
  strategy: CtaTemplate | null = null;
  private ran = false;
  private running = false;

  private history: readonly (BarData | TickData)[] | null = null;
  private source: HistorySource | null = null;
  private ownedDatabase: Database | null = null;

  private bar: BarData | null = null;
  private tick: TickData | null = null;
  /** Datetime of the datum being replayed, epoch ms. */
  datetime = 0;
  private barIndex = 0;
  private strict = false;
  /** Time of the last datum replayed, for the order check. */
  private lastTime = -Infinity;
  private volumeLeft = 0;

  private limitOrderCount = 0;
  // Every order by number − 1 (ids are sequential), latest state, as columns.
  private readonly orderLog = new OrderColumns();
  private readonly activeLimitOrders = new ActiveSet<ActiveOrder>();
  private stopOrderCount = 0;
  private readonly stopOrders: StopOrder[] = [];
  private readonly activeStopOrders = new ActiveSet<ActiveStop>();
  private tradeCount = 0;
  private readonly tradeLog = new TradeColumns();
  private readonly dailyResults = new Map<string, DailyResult>();
  private currentDay: DailyResult | null = null;
  private currentDayKey = "";
  private pending: Promise<unknown>[] = [];
  readonly logs: string[] = [];
  private results: DailyResult[] = [];

  setParameters(params: BacktestParameters): void {
    if (typeof params !== "object" || params === null) throw bad("setParameters takes an object ({ vtSymbol, interval, start, ... }).");
    let parsed: { symbol: string; exchange: Exchange };
    try {
      parsed = parseVtSymbol(params.vtSymbol);
    } catch (err) {
      throw new TickwireError(TW_BACKTEST_BAD_OPTION, `vtSymbol must be "symbol.EXCHANGE" (e.g. "rb2410.SHFE"), got ${JSON.stringify(params.vtSymbol)}.`, { cause: err });
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
    this.clock = new DayClock(timezone);
    this.p = {
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

  private get params(): Settings {
    if (!this.p) throw bad("Call setParameters({ vtSymbol, ... }) first.");
    return this.p;
  }

  /** The strategy class and its setting; the instance is made now and again for each run. */
  addStrategy(strategyClass: CtaStrategyClass, setting: StrategySetting = {}): CtaTemplate {
    const p = this.params;
    this.strategyClass = strategyClass;
    this.setting = { ...setting };
    this.strategy = createStrategy(strategyClass, this, strategyClass.name, p.vtSymbol, this.setting);
    this.ran = false;
    return this.strategy;
  }

  /**
   * History in memory, in time order: bars (bar mode) or ticks (tick mode). The order is checked
   * during the replay (runBacktesting rejects with TW_BACKTEST_HISTORY), not here: a separate
   * pass over millions of bars costs a third of a do-nothing backtest in cache misses.
   */
  setHistory(data: readonly BarData[] | readonly TickData[]): void {
    const p = this.params;
    if (!Array.isArray(data)) throw new TickwireError(TW_BACKTEST_HISTORY, "setHistory takes an array of BarData (bar mode) or TickData (tick mode).");
    const first = data[0] as BarData | TickData | undefined;
    if (first && (p.mode === "bar" ? typeof (first as BarData).closePrice !== "number" : typeof (first as TickData).lastPrice !== "number")) {
      throw new TickwireError(TW_BACKTEST_HISTORY, `The history holds no ${p.mode === "bar" ? "BarData" : "TickData"} (mode is "${p.mode}"): pass ${p.mode === "bar" ? "bars" : "ticks"} or change mode.`);
    }
    this.history = data;
    this.source = null;
  }

  /**
   * Replay history streamed from a store at run time, batch by batch (memory holds one batch):
   * a `tickwire/data` Database, or the URL of one (default: `TICKWIRE_DATABASE`, else
   * `sqlite:.tickwire/data.sqlite`), which the engine then opens and closes in `close()`.
   * `loadBar`/`loadTick` read the days before `start` from the same store.
   */
  async loadData(source?: HistorySource | string): Promise<void> {
    void this.params;
    await this.close();
    if (typeof source === "object" && source !== null) {
      this.source = source;
    } else {
      const db = await openDatabase(source);
      this.source = db;
      this.ownedDatabase = db;
    }
    this.history = null;
  }

  /** Close the store `loadData` opened from a URL (a Database passed in stays open). */
  async close(): Promise<void> {
    const db = this.ownedDatabase;
    this.ownedDatabase = null;
    if (db) await db.close();
  }

  // --- the run ------------------------------------------------------------------------------

  private clearData(): void {
    this.bar = null;
    this.tick = null;
    this.datetime = 0;
    this.barIndex = 0;
    this.lastTime = -Infinity;
    this.limitOrderCount = 0;
    this.orderLog.clear();
    this.activeLimitOrders.clear();
    this.stopOrderCount = 0;
    this.stopOrders.length = 0;
    this.activeStopOrders.clear();
    this.tradeCount = 0;
    this.tradeLog.clear();
    this.dailyResults.clear();
    this.currentDay = null;
    this.currentDayKey = "";
    this.pending = [];
    this.logs.length = 0;
    this.results = [];
  }

  /** Init and start the strategy, replay the history, stop the strategy. */
  async runBacktesting(options: RunOptions = {}): Promise<void> {
    if (this.running) {
      throw new TickwireError(TW_BACKTEST_RUNNING, "A backtest is already running on this engine: await it, or use another BacktestingEngine.");
    }
    this.running = true;
    try {
      await this.run(options);
    } finally {
      this.running = false;
    }
  }

  private async run(options: RunOptions): Promise<void> {
    const p = this.params;
    if (!this.strategyClass || !this.strategy) {
      throw new TickwireError(TW_BACKTEST_NO_STRATEGY, "Call addStrategy(StrategyClass, setting) before runBacktesting().");
    }
    if (!this.history && !this.source) {
      throw new TickwireError(TW_BACKTEST_NO_DATA, "Give the engine history first: setHistory(bars | ticks) or loadData(database).");
    }
    this.clearData();
    this.strict = p.fillModel === "strict";
    // A second run starts from a fresh strategy, so no state leaks between runs (vnpy #1114).
    if (this.ran) this.strategy = createStrategy(this.strategyClass, this, this.strategyClass.name, p.vtSymbol, this.setting);
    this.ran = true;
    const s = this.strategy;

    await this.guard(() => s.onInit(), "onInit");
    s.inited = true;
    this.writeLog(s, "strategy inited");
    await this.guard(() => s.onStart(), "onStart");
    s.trading = true;
    this.writeLog(s, "replay started");

    const { start, end } = p;
    const report = options.onProgress;
    if (this.history) {
      const h = this.history;
      const every = options.progressEvery ?? Math.max(1, Math.floor(h.length / 100));
      const first = firstAtOrAfter(h, start);
      let i = first;
      while (i < h.length) {
        const stopAt = report ? Math.min(h.length, i + every) : h.length;
        const next = this.replay(h, i, stopAt, end);
        if (this.pending.length > 0) await this.flush();
        if (next < 0) break;
        if (report && (next === stopAt || next === h.length)) report(next - first, h.length - first);
        i = next;
      }
    } else {
      const src = this.source!;
      const every = options.progressEvery ?? 100_000;
      let done = 0;
      let nextReport = every;
      const q = { vtSymbol: p.vtSymbol, start: Number.isFinite(start) ? start : undefined, end: Number.isFinite(end) ? end : undefined };
      const batches = p.mode === "bar" ? src.streamBars({ ...q, interval: p.interval }) : src.streamTicks(q);
      for await (const batch of batches) {
        let i = 0;
        while (i < batch.length) {
          const next = this.replay(batch, i, batch.length, end);
          if (this.pending.length > 0) await this.flush();
          if (next < 0) break;
          i = next;
        }
        done += batch.length;
        if (report && done >= nextReport) {
          report(done, undefined);
          nextReport = done + every;
        }
      }
      if (report) report(done, done);
    }
    await this.guard(() => s.onStop(), "onStop");
    this.writeLog(s, "replay finished");
  }

  /**
   * Replay `h[i..stopAt)` synchronously; stops early after a datum whose callbacks left a
   * promise (the caller awaits it). Returns the next index, or -1 once past `end`.
   */
  private replay(h: readonly (BarData | TickData)[], i: number, stopAt: number, end: number): number {
    const bars = this.p!.mode === "bar";
    try {
      for (; i < stopAt; i++) {
        const d = h[i];
        if (d.datetime > end) return -1;
        if (d.datetime < this.lastTime) this.outOfOrder(d.datetime);
        this.lastTime = d.datetime;
        if (bars) this.newBar(d as BarData);
        else this.newTick(d as TickData);
        if (this.pending.length > 0) return i + 1;
      }
    } catch (err) {
      if (err instanceof TickwireError && err.code === TW_BACKTEST_HISTORY) throw err;
      throw this.strategyError(err, "a callback");
    }
    return i;
  }

  private outOfOrder(t: number): never {
    throw new TickwireError(
      TW_BACKTEST_HISTORY,
      `History out of time order: ${new Date(t).toISOString()} comes after ${new Date(this.lastTime).toISOString()}. Sort the history by datetime.`,
    );
  }

  private strategyError(err: unknown, where: string): TickwireError {
    const at = this.datetime ? ` at ${new Date(this.datetime).toISOString()}` : "";
    const msg = err instanceof Error ? err.message : String(err);
    return new TickwireError(TW_BACKTEST_STRATEGY_ERROR, `Strategy ${this.strategy?.strategyName} threw in ${where}${at}: ${msg}. The backtest stopped; fix the strategy and run again.`, {
      cause: err,
    });
  }

  private async guard(fn: () => unknown, where: string): Promise<void> {
    try {
      const r = fn();
      if (isPromiseLike(r)) await r;
    } catch (err) {
      throw this.strategyError(err, where);
    }
  }

  /** Await what async callbacks of the last datum left running, before the next datum. */
  private async flush(): Promise<void> {
    const list = this.pending;
    this.pending = [];
    try {
      await Promise.all(list);
    } catch (err) {
      throw this.strategyError(err, "an async callback");
    }
  }

  /** Call a strategy callback; a promise it returns is awaited before the next datum. */
  private call(r: unknown): void {
    if (r === undefined) return;
    if (isPromiseLike(r)) this.pending.push(Promise.resolve(r));
  }

  private newBar(bar: BarData): void {
    this.bar = bar;
    this.datetime = bar.datetime;
    this.barIndex++;
    if (this.strict) this.volumeLeft = bar.volume;
    if (this.activeLimitOrders.size > 0) this.crossLimitOrder();
    if (this.activeStopOrders.size > 0) this.crossStopOrder();
    this.call(this.strategy!.onBar(bar));
    this.updateDailyClose(bar.closePrice);
  }

  private newTick(tick: TickData): void {
    this.tick = tick;
    this.datetime = tick.datetime;
    this.barIndex++;
    if (this.activeLimitOrders.size > 0) this.crossLimitOrder();
    if (this.activeStopOrders.size > 0) this.crossStopOrder();
    this.call(this.strategy!.onTick(tick));
    this.updateDailyClose(tick.lastPrice);
  }

  private updateDailyClose(price: number): void {
    const key = this.clock.dateOf(this.datetime);
    if (key === this.currentDayKey) {
      this.currentDay!.closePrice = price;
      return;
    }
    let d = this.dailyResults.get(key);
    if (d) d.closePrice = price;
    else {
      d = newDailyResult(key, price);
      this.dailyResults.set(key, d);
    }
    this.currentDay = d;
    this.currentDayKey = key;
  }

  private crossLimitOrder(): void {
    const p = this.p!;
    const strict = p.fillModel === "strict";
    let longCross: number;
    let shortCross: number;
    let longBest: number;
    let shortBest: number;
    if (p.mode === "bar") {
      const b = this.bar!;
      longCross = b.lowPrice;
      shortCross = b.highPrice;
      longBest = b.openPrice;
      shortBest = b.openPrice;
    } else {
      const t = this.tick!;
      longCross = t.askPrice1;
      shortCross = t.bidPrice1;
      longBest = longCross;
      shortBest = shortCross;
    }
    const s = this.strategy!;
    for (const entry of this.activeLimitOrders.snapshot()) {
      let order = entry.order;
      if (!this.activeLimitOrders.has(order.vtOrderid)) continue;
      if (order.status === Status.SUBMITTING) {
        // Changed in place: a SUBMITTING order has not been pushed to anyone yet.
        order.status = Status.NOTTRADED;
        this.orderLog.update(entry.index, order);
        this.call(s.onOrder(order));
      }
      if (strict && entry.sentAt === this.barIndex) continue;
      const isLong = order.direction === Direction.LONG;
      const crossed = isLong
        ? longCross > 0 && (strict && p.mode === "bar" ? order.price > longCross : order.price >= longCross)
        : shortCross > 0 && (strict && p.mode === "bar" ? order.price < shortCross : order.price <= shortCross);
      if (!crossed) continue;

      let volume = order.volume - order.traded;
      if (strict) {
        volume = Math.min(volume, this.liquidity(isLong));
        if (volume <= 0) continue;
        this.consume(isLong, volume);
      }
      const traded = order.traded + volume;
      const status = traded >= order.volume ? Status.ALLTRADED : Status.PARTTRADED;
      order = this.updateOrder(entry, orderWith(order, traded, status));
      if (status === Status.ALLTRADED) this.activeLimitOrders.delete(order.vtOrderid);
      this.call(s.onOrder(order));

      const price = isLong ? Math.min(order.price, longBest) : Math.max(order.price, shortBest);
      this.fill(order, price, volume);
    }
  }

  /** What the strict model lets trade now: the bar's volume left, or the touch's size for ticks. */
  private liquidity(isLong: boolean): number {
    if (this.p!.mode === "bar") return this.volumeLeft;
    const t = this.tick!;
    return isLong ? t.askVolume1 - this.tickTaken[0] : t.bidVolume1 - this.tickTaken[1];
  }

  private tickTaken: [number, number] = [0, 0];
  private tickTakenAt = -1;

  private consume(isLong: boolean, volume: number): void {
    if (this.p!.mode === "bar") {
      this.volumeLeft -= volume;
      return;
    }
    if (this.tickTakenAt !== this.barIndex) {
      this.tickTaken = [0, 0];
      this.tickTakenAt = this.barIndex;
    }
    this.tickTaken[isLong ? 0 : 1] += volume;
  }

  private updateOrder(entry: ActiveOrder, order: OrderData): OrderData {
    entry.order = order;
    this.orderLog.update(entry.index, order);
    return order;
  }

  private fill(order: OrderData, price: number, volume: number): void {
    this.tradeCount++;
    const tradeid = String(this.tradeCount);
    const trade: TradeData = {
      gatewayName: GATEWAY,
      symbol: order.symbol,
      exchange: order.exchange,
      vtSymbol: order.vtSymbol,
      orderid: order.orderid,
      vtOrderid: order.vtOrderid,
      tradeid,
      vtTradeid: `${GATEWAY}.${tradeid}`,
      direction: order.direction,
      offset: order.offset,
      price,
      volume,
      datetime: this.datetime,
    };
    const s = this.strategy!;
    s.pos += order.direction === Direction.LONG ? volume : -volume;
    this.tradeLog.push(trade);
    this.call(s.onTrade(trade));
  }

  private crossStopOrder(): void {
    const p = this.p!;
    const strict = p.fillModel === "strict";
    let longCross: number;
    let shortCross: number;
    let longBest: number;
    let shortBest: number;
    if (p.mode === "bar") {
      const b = this.bar!;
      longCross = b.highPrice;
      shortCross = b.lowPrice;
      longBest = b.openPrice;
      shortBest = b.openPrice;
    } else {
      const t = this.tick!;
      longCross = t.lastPrice;
      shortCross = t.lastPrice;
      longBest = longCross;
      shortBest = shortCross;
    }
    const s = this.strategy!;
    for (const entry of this.activeStopOrders.snapshot()) {
      const stop = entry.stop;
      if (!this.activeStopOrders.has(stop.stopOrderid)) continue;
      if (strict && entry.sentAt === this.barIndex) continue;
      const isLong = stop.direction === Direction.LONG;
      const crossed = isLong ? stop.price <= longCross : stop.price >= shortCross;
      if (!crossed) continue;

      let volume = stop.volume;
      if (strict) {
        volume = Math.min(volume, this.liquidity(isLong));
        if (volume > 0) this.consume(isLong, volume);
      }
      this.limitOrderCount++;
      const filled = volume >= stop.volume;
      const order = createOrder({
        gatewayName: GATEWAY,
        symbol: p.symbol,
        exchange: p.exchange,
        orderid: String(this.limitOrderCount),
        type: OrderType.STOP,
        direction: stop.direction,
        offset: stop.offset,
        price: stop.price,
        volume: stop.volume,
        traded: Math.max(volume, 0),
        status: filled ? Status.ALLTRADED : volume > 0 ? Status.PARTTRADED : Status.NOTTRADED,
        datetime: this.datetime,
      });
      const index = this.orderLog.push(order);
      // Strict model: what the bar could not fill rests as a limit order at the stop price.
      if (!filled) this.activeLimitOrders.set(order.vtOrderid, { order, sentAt: this.barIndex, index });

      const triggered: StopOrder = { ...stop, vtOrderids: [...stop.vtOrderids, order.vtOrderid], status: StopOrderStatus.TRIGGERED };
      this.stopOrders[entry.index] = triggered;
      this.activeStopOrders.delete(stop.stopOrderid);
      this.call(s.onStopOrder(triggered));
      this.call(s.onOrder(order));
      if (volume > 0) this.fill(order, isLong ? Math.max(stop.price, longBest) : Math.min(stop.price, shortBest), volume);
    }
  }

  // --- StrategyHost -------------------------------------------------------------------------

  sendOrder(_strategy: HostedStrategy, direction: Direction, offset: Offset, price: number, volume: number, stop: boolean): string[] {
    const p = this.params;
    const rounded = roundTo(price, p.pricetick);
    return [stop ? this.sendStopOrder(direction, offset, rounded, volume) : this.sendLimitOrder(direction, offset, rounded, volume)];
  }

  private sendStopOrder(direction: Direction, offset: Offset, price: number, volume: number): string {
    this.stopOrderCount++;
    const stop: StopOrder = {
      vtSymbol: this.p!.vtSymbol,
      direction,
      offset,
      price,
      volume,
      stopOrderid: `${STOPORDER_PREFIX}.${this.stopOrderCount}`,
      strategyName: this.strategy!.strategyName,
      datetime: this.datetime,
      lock: false,
      net: false,
      vtOrderids: [],
      status: StopOrderStatus.WAITING,
    };
    this.stopOrders.push(stop);
    this.activeStopOrders.set(stop.stopOrderid, { stop, sentAt: this.barIndex, index: this.stopOrders.length - 1 });
    return stop.stopOrderid;
  }

  private sendLimitOrder(direction: Direction, offset: Offset, price: number, volume: number): string {
    const p = this.p!;
    this.limitOrderCount++;
    // Symbol and exchange were validated by setParameters and the id is a number, so the
    // object is built directly (createOrder's checks cost more than the rest of a send).
    const orderid = String(this.limitOrderCount);
    const order: OrderData = {
      gatewayName: GATEWAY,
      symbol: p.symbol,
      exchange: p.exchange,
      vtSymbol: p.vtSymbol,
      orderid,
      vtOrderid: `${GATEWAY}.${orderid}`,
      type: OrderType.LIMIT,
      direction,
      offset,
      price,
      volume,
      traded: 0,
      status: Status.SUBMITTING,
      datetime: this.datetime,
      reference: "",
      statusMsg: "",
    };
    const index = this.orderLog.push(order);
    this.activeLimitOrders.set(order.vtOrderid, { order, sentAt: this.barIndex, index });
    return order.vtOrderid;
  }

  cancelOrder(strategy: HostedStrategy, vtOrderid: string): void {
    if (vtOrderid.startsWith(STOPORDER_PREFIX)) this.cancelStopOrder(vtOrderid);
    else this.cancelLimitOrder(vtOrderid);
  }

  private cancelLimitOrder(vtOrderid: string): void {
    const entry = this.activeLimitOrders.get(vtOrderid);
    if (!entry) return;
    this.activeLimitOrders.delete(vtOrderid);
    const order = this.updateOrder(entry, orderWith(entry.order, entry.order.traded, Status.CANCELLED));
    this.call(this.strategy!.onOrder(order));
  }

  private cancelStopOrder(id: string): void {
    const entry = this.activeStopOrders.get(id);
    if (!entry) return;
    this.activeStopOrders.delete(id);
    const stop: StopOrder = { ...entry.stop, status: StopOrderStatus.CANCELLED };
    this.stopOrders[entry.index] = stop;
    this.call(this.strategy!.onStopOrder(stop));
  }

  cancelAll(_strategy: HostedStrategy): void {
    // Called by most strategies on every bar, usually with nothing open: kept small to inline.
    if (this.activeLimitOrders.size > 0 || this.activeStopOrders.size > 0) this.cancelEverything();
  }

  private cancelEverything(): void {
    for (const id of this.activeLimitOrders.keys()) this.cancelLimitOrder(id);
    for (const id of this.activeStopOrders.keys()) this.cancelStopOrder(id);
  }

  writeLog(_strategy: HostedStrategy, msg: string): void {
    this.logs.push(`${this.datetime ? new Date(this.datetime).toISOString() : "-"}\t${msg}`);
  }

  getEngineType(): EngineType {
    return EngineType.BACKTESTING;
  }

  getPricetick(): number {
    return this.params.pricetick;
  }

  getSize(): number {
    return this.params.size;
  }

  /** The bars of the `days` before `start` (vnpy: [start − days, start − one interval]). */
  loadBar(_strategy: HostedStrategy, days: number, interval: Interval): readonly BarData[] | Promise<readonly BarData[]> {
    const p = this.params;
    const from = p.start - days * DAY_MS;
    const to = p.start - (INTERVAL_MS[interval] ?? 60_000);
    if (this.source) {
      if (!Number.isFinite(p.start)) return [];
      return this.source.loadBars({ vtSymbol: p.vtSymbol, interval, start: from, end: to });
    }
    if (!this.history || p.mode !== "bar" || !Number.isFinite(p.start)) return [];
    return (this.history as readonly BarData[]).filter((b) => b.datetime >= from && b.datetime <= to);
  }

  loadTick(_strategy: HostedStrategy, days: number): readonly TickData[] | Promise<readonly TickData[]> {
    const p = this.params;
    const from = p.start - days * DAY_MS;
    const to = p.start - 1;
    if (this.source) {
      if (!Number.isFinite(p.start)) return [];
      return this.source.loadTicks({ vtSymbol: p.vtSymbol, start: from, end: to });
    }
    if (!this.history || p.mode !== "tick" || !Number.isFinite(p.start)) return [];
    return (this.history as readonly TickData[]).filter((t) => t.datetime >= from && t.datetime <= to);
  }

  putStrategyEvent(): void {}

  syncStrategyData(): void {}

  // --- results ------------------------------------------------------------------------------

  /**
   * The mark-to-market by date, with the balance columns. Recomputed from the trades on every
   * call (vnpy adds the trades again on a second call). No trades: no rows, as in vnpy.
   */
  calculateResult(): DailyResult[] {
    const p = this.params;
    const log = this.tradeLog;
    if (log.length === 0) {
      this.results = [];
      return this.results;
    }
    const days = [...this.dailyResults.values()];
    // Trades are in time order, so each date's trades are one run of the log.
    let t = 0;
    let preClose = 0;
    let startPos = 0;
    for (const d of days) {
      const from = t;
      while (t < log.length && this.clock.dateOf(log.datetime(t)) === d.date) t++;
      calculatePnl(d, preClose, startPos, p.size, p.rate, p.slippage, log, from, t);
      preClose = d.closePrice;
      startPos = d.endPos;
    }
    calculateBalance(days, p.capital);
    this.results = days;
    return days;
  }

  /** vnpy's statistics over `calculateResult()`'s rows (or the rows given). */
  calculateStatistics(days: readonly DailyResult[] = this.results): BacktestStatistics {
    const p = this.params;
    if (days.length === 0) return emptyStatistics(p.capital);
    return calculateStatistics(days, { capital: p.capital, riskFree: p.riskFree, annualDays: p.annualDays, halfLife: p.halfLife });
  }

  /** Round trips, win rate, profit factor, streaks (vnpy 1's trade analysis). */
  analyzeTrades(): TradeAnalysis {
    const p = this.params;
    return analyzeTrades(this.getAllTrades(), { size: p.size, rate: p.rate, slippage: p.slippage });
  }

  private instrument(): Instrument {
    const p = this.params;
    return { gatewayName: GATEWAY, symbol: p.symbol, exchange: p.exchange, vtSymbol: p.vtSymbol };
  }

  /** Trades in fill order. */
  getAllTrades(): TradeData[] {
    const inst = this.instrument();
    const out = new Array<TradeData>(this.tradeLog.length);
    for (let i = 0; i < out.length; i++) out[i] = this.tradeLog.get(i, inst);
    return out;
  }

  /** Orders (limit orders and those made by triggered stops) in send order, latest state. */
  getAllOrders(): OrderData[] {
    const inst = this.instrument();
    const out = new Array<OrderData>(this.orderLog.length);
    for (let i = 0; i < out.length; i++) out[i] = this.orderLog.get(i, inst);
    return out;
  }

  getAllStopOrders(): StopOrder[] {
    return [...this.stopOrders];
  }

  getAllDailyResults(): DailyResult[] {
    return [...this.dailyResults.values()];
  }

  /** What setParameters resolved (start/end as epoch ms, ±Infinity when not given). */
  getParameters(): Readonly<Settings> {
    return { ...this.params };
  }

  /** The strategy class's name and the setting given to addStrategy. */
  getStrategySetting(): { className: string; setting: StrategySetting } {
    return { className: this.strategyClass?.name ?? "", setting: { ...this.setting } };
  }

  /** The bars replayed (start to end): from the history given, or read again from the store. */
  async getReplayedBars(): Promise<BarData[]> {
    const p = this.params;
    if (p.mode !== "bar") return [];
    if (this.history) {
      const h = this.history as readonly BarData[];
      const out: BarData[] = [];
      for (let i = firstAtOrAfter(h, p.start); i < h.length && h[i].datetime <= p.end; i++) out.push(h[i]);
      return out;
    }
    if (!this.source) return [];
    return this.source.loadBars({
      vtSymbol: p.vtSymbol,
      interval: p.interval,
      start: Number.isFinite(p.start) ? p.start : undefined,
      end: Number.isFinite(p.end) ? p.end : undefined,
    });
  }

  /** Write the HTML report of the last run (see report.ts); call after calculateResult(). */
  async writeReport(path: string, options: ReportOptions = {}): Promise<void> {
    await writeReport(this, path, options);
  }
}
