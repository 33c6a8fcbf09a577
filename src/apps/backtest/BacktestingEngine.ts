import { TickwireError } from "../../event/errors.js";
import type { Direction, Interval, Offset } from "../../trader/constants.js";
import type { BarData, OrderData, TickData, TradeData } from "../../trader/objects.js";
import { createStrategy, isPromiseLike, type CtaStrategyClass, type CtaTemplate, type StrategySetting } from "../../strategy/CtaTemplate.js";
import { EngineType, type HostedStrategy, type StopOrder, type StrategyHost } from "../../strategy/StrategyHost.js";
import { openDatabase } from "../../data/openDatabase.js";
import type { Database } from "../../data/types.js";
import { roundTo } from "../../strategy/roundTo.js";
import type { Instrument } from "./columns.js";
import { calculateBalance, DailyCloses, markToMarket, type DailyResult } from "./DailyResult.js";
import { DayClock } from "./dates.js";
import { barsBefore, firstAtOrAfter, replayedBars, streamed, ticksBefore, type HistorySource } from "./history.js";
import { GATEWAY, OrderBook, PendingCalls } from "./OrderBook.js";
import { bad, resolveParameters, type BacktestParameters, type Settings } from "./parameters.js";
import { analyzeTrades, type TradeAnalysis } from "./roundTrips.js";
import { calculateStatistics, emptyStatistics, type BacktestStatistics } from "./statistics.js";
import { writeReport, type ReportOptions } from "./report.js";

export type { BacktestParameters, FillModel, Settings } from "./parameters.js";
export type { HistorySource } from "./history.js";

export const TW_BACKTEST_NO_STRATEGY = "TW_BACKTEST_NO_STRATEGY";
export const TW_BACKTEST_NO_DATA = "TW_BACKTEST_NO_DATA";
export const TW_BACKTEST_HISTORY = "TW_BACKTEST_HISTORY";
export const TW_BACKTEST_STRATEGY_ERROR = "TW_BACKTEST_STRATEGY_ERROR";
export const TW_BACKTEST_RUNNING = "TW_BACKTEST_RUNNING";

export interface RunOptions {
  /** Called every `progressEvery` data (default 1% of an in-memory history, else 100,000). */
  onProgress?: (done: number, total: number | undefined) => void;
  progressEvery?: number;
}

/**
 * vnpy's BacktestingEngine: replays bars or ticks through one CtaTemplate strategy with vnpy's
 * fill rules (or the stricter model), marks the result to market by date and computes vnpy's
 * statistics. It is the strategy's host: the strategy's order calls land here, and go to the
 * run's OrderBook (OrderBook.ts); parameters are checked in parameters.ts, history windows read
 * in history.ts.
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

  /** Time of the last datum replayed, for the order check. */
  private lastTime = -Infinity;
  private readonly calls = new PendingCalls();
  private readonly book = new OrderBook(this.calls);
  private readonly days = new DailyCloses(this.clock);
  readonly logs: string[] = [];
  private results: DailyResult[] = [];

  setParameters(params: BacktestParameters): void {
    const p = resolveParameters(params);
    this.clock = new DayClock(p.timezone);
    this.p = p;
  }

  private get params(): Settings {
    if (!this.p) throw bad("Call setParameters({ vtSymbol, ... }) first.");
    return this.p;
  }

  /** Datetime of the datum being replayed, epoch ms. */
  get datetime(): number {
    return this.book.datetime;
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
      throw new TickwireError(
        TW_BACKTEST_HISTORY,
        `The history holds no ${p.mode === "bar" ? "BarData" : "TickData"} (mode is "${p.mode}"): pass ${p.mode === "bar" ? "bars" : "ticks"} or change mode.`,
      );
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
    // A second run starts from a fresh strategy, so no state leaks between runs (vnpy #1114).
    if (this.ran) this.strategy = createStrategy(this.strategyClass, this, this.strategyClass.name, p.vtSymbol, this.setting);
    this.ran = true;
    const s = this.strategy;
    this.book.reset(p, s);
    this.days.reset(this.clock);
    this.lastTime = -Infinity;
    this.calls.take();
    this.logs.length = 0;
    this.results = [];

    await this.guard(() => s.onInit(), "onInit");
    s.inited = true;
    this.writeLog(s, "strategy inited");
    await this.guard(() => s.onStart(), "onStart");
    s.trading = true;
    this.writeLog(s, "replay started");

    const end = p.end;
    const report = options.onProgress;
    if (this.history) {
      const h = this.history;
      const every = options.progressEvery ?? Math.max(1, Math.floor(h.length / 100));
      const first = firstAtOrAfter(h, p.start);
      let i = first;
      while (i < h.length) {
        const stopAt = report ? Math.min(h.length, i + every) : h.length;
        const next = this.replay(h, i, stopAt, end);
        if (this.calls.size > 0) await this.flush();
        if (next < 0) break;
        if (report && (next === stopAt || next === h.length)) report(next - first, h.length - first);
        i = next;
      }
    } else {
      const every = options.progressEvery ?? 100_000;
      let done = 0;
      let nextReport = every;
      for await (const batch of streamed(p, this.source!)) {
        let i = 0;
        while (i < batch.length) {
          const next = this.replay(batch, i, batch.length, end);
          if (this.calls.size > 0) await this.flush();
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
   * promise (the caller awaits it). Returns the next index, or -1 once past `end`. Per datum:
   * cross the pending limit orders, then the stop orders, then the strategy's callback, then the
   * date's close — the hot loop of every backtest, so what is fixed for the run is read once.
   */
  private replay(h: readonly (BarData | TickData)[], i: number, stopAt: number, end: number): number {
    const bars = this.p!.mode === "bar";
    const strict = this.p!.fillModel === "strict";
    const s = this.strategy!;
    const book = this.book;
    const limits = book.activeLimitOrders;
    const stops = book.activeStopOrders;
    const days = this.days;
    const calls = this.calls;
    let last = this.lastTime;
    try {
      for (; i < stopAt; i++) {
        const d = h[i];
        const t = d.datetime;
        if (t > end) return -1;
        if (t < last) this.outOfOrder(t, last);
        last = t;
        book.datetime = t;
        book.barIndex++;
        let r: unknown;
        let price: number;
        if (bars) {
          const bar = d as BarData;
          book.bar = bar;
          if (strict) book.volumeLeft = bar.volume;
          if (limits.size > 0) book.crossLimitOrder();
          if (stops.size > 0) book.crossStopOrder();
          r = s.onBar(bar);
          price = bar.closePrice;
        } else {
          const tick = d as TickData;
          book.tick = tick;
          if (limits.size > 0) book.crossLimitOrder();
          if (stops.size > 0) book.crossStopOrder();
          r = s.onTick(tick);
          price = tick.lastPrice;
        }
        if (r !== undefined) calls.add(r);
        if (t >= days.from && t < days.to) days.current!.closePrice = price;
        else days.update(t, price);
        if (calls.size > 0) return i + 1;
      }
    } catch (err) {
      if (err instanceof TickwireError && err.code === TW_BACKTEST_HISTORY) throw err;
      throw this.strategyError(err, "a callback");
    } finally {
      this.lastTime = last;
    }
    return i;
  }

  private outOfOrder(t: number, last: number): never {
    throw new TickwireError(
      TW_BACKTEST_HISTORY,
      `History out of time order: ${new Date(t).toISOString()} comes after ${new Date(last).toISOString()}. Sort the history by datetime.`,
    );
  }

  private strategyError(err: unknown, where: string): TickwireError {
    const at = this.datetime ? ` at ${new Date(this.datetime).toISOString()}` : "";
    const msg = err instanceof Error ? err.message : String(err);
    return new TickwireError(
      TW_BACKTEST_STRATEGY_ERROR,
      `Strategy ${this.strategy?.strategyName} threw in ${where}${at}: ${msg}. The backtest stopped; fix the strategy and run again.`,
      {
        cause: err,
      },
    );
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
    try {
      await Promise.all(this.calls.take());
    } catch (err) {
      throw this.strategyError(err, "an async callback");
    }
  }

  // --- StrategyHost -------------------------------------------------------------------------

  sendOrder(_strategy: HostedStrategy, direction: Direction, offset: Offset, price: number, volume: number, stop: boolean): string[] {
    const p = this.params;
    const rounded = roundTo(price, p.pricetick);
    return [stop ? this.book.sendStopOrder(direction, offset, rounded, volume) : this.book.sendLimitOrder(direction, offset, rounded, volume)];
  }

  cancelOrder(_strategy: HostedStrategy, vtOrderid: string): void {
    this.book.cancelOrder(vtOrderid);
  }

  cancelAll(_strategy: HostedStrategy): void {
    // Called by most strategies on every bar, usually with nothing open: kept small to inline.
    const book = this.book;
    if (book.activeLimitOrders.size > 0 || book.activeStopOrders.size > 0) book.cancelAll();
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
    return barsBefore(this.params, this.history, this.source, days, interval);
  }

  loadTick(_strategy: HostedStrategy, days: number): readonly TickData[] | Promise<readonly TickData[]> {
    return ticksBefore(this.params, this.history, this.source, days);
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
    const log = this.book.tradeLog;
    if (log.length === 0) {
      this.results = [];
      return this.results;
    }
    const days = this.days.values();
    markToMarket(days, log, this.clock, p.size, p.rate, p.slippage);
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
    return this.book.getAllTrades(this.instrument());
  }

  /** Orders (limit orders and those made by triggered stops) in send order, latest state. */
  getAllOrders(): OrderData[] {
    return this.book.getAllOrders(this.instrument());
  }

  getAllStopOrders(): StopOrder[] {
    return this.book.getAllStopOrders();
  }

  getAllDailyResults(): DailyResult[] {
    return this.days.values();
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
    return replayedBars(this.params, this.history, this.source);
  }

  /** Write the HTML report of the last run (see report.ts); call after calculateResult(). */
  async writeReport(path: string, options: ReportOptions = {}): Promise<void> {
    await writeReport(this, path, options);
  }
}
