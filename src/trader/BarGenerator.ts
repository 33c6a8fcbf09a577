import { TickwireError } from "../event/errors.js";
import { Interval } from "./constants.js";
import { createBar, type BarData, type TickData } from "./objects.js";
import { DAY_MS, HOUR_MS, MINUTE_MS, offsetFinder, parseClockTime, type OffsetOf } from "./wallClock.js";

export interface BarGeneratorOptions {
  /**
   * Size of the window bars made by `updateBar`: minutes (must divide 60) with interval MINUTE,
   * hours with HOUR; ignored with DAILY. Default 0: no window bars.
   */
  window?: number;
  /** Receives each finished window bar (x-minute, x-hour or daily). */
  onWindowBar?: (bar: BarData) => void;
  /** Unit of the window bars: MINUTE (default), HOUR or DAILY. */
  interval?: Interval;
  /** With DAILY: the wall-clock time the trading day ends, "HH:MM" in `timezone` (e.g. "15:00"). */
  dailyEnd?: string;
  /** IANA time zone of hour and day boundaries (and of x-minute ones). Default "UTC". */
  timezone?: string;
  /** How long after a minute (or window) is over `onTimer` still waits for late data. Default 1000 ms. */
  graceMs?: number;
  /** The local clock, read when data arrives and by `onTimer()`. Default `Date.now`. */
  clock?: () => number;
}

/** Counters of a generator, for logs and monitoring. */
export interface BarGeneratorStats {
  /** Ticks dropped because their minute had already been pushed (or a later one had started). */
  lateTicks: number;
  /** 1-minute bars given to `updateBar` that belong to a window already pushed. */
  lateBars: number;
  /** Minute bars pushed by `onTimer` rather than by the next tick. */
  timerClosed: number;
}

const DEFAULT_GRACE_MS = 1000;

/**
 * Makes 1-minute bars from ticks and window bars (x-minute, x-hour, daily) from 1-minute bars,
 * after vnpy's BarGenerator (vnpy/trader/utility.py), with the cases its users report wrong done
 * differently (docs/recorder.md lists them):
 * - a finished minute is pushed by `onTimer()` once it is over plus `graceMs`, so the last bar of
 *   a session is not lost waiting for a next tick;
 * - a tick of a minute already pushed, or earlier than the bar in progress, is dropped and counted
 *   (`stats().lateTicks`) instead of being merged into the wrong bar;
 * - an hour bar holds the minute bars hh:00 to hh:59 and is labelled hh:00; a window bar is
 *   labelled at the start of its window and a gap never merges two windows into one;
 * - the trading day closes with the bar that reaches `dailyEnd`, with the first bar of a later
 *   day, or on the timer, never only on a bar stamped exactly at the end.
 *
 *   const bg = new BarGenerator((bar) => store(bar), { window: 5, onWindowBar: on5m });
 *   eventEngine.register(EVENT_TIMER, () => bg.onTimer());
 *   bg.updateTick(tick);            // onBar(bar) once each minute is over
 *   bg.updateBar(bar);              // (usually from onBar) on5m(bar) every 5 minutes
 */
export class BarGenerator {
  private readonly onBar: (bar: BarData) => void;
  private readonly onWindowBar: ((bar: BarData) => void) | undefined;
  private readonly window: number;
  private readonly interval: Interval;
  private readonly graceMs: number;
  private readonly clock: () => number;
  private readonly offsetOf: OffsetOf;
  private readonly dailyEndMinutes: number;

  private bar: BarData | null = null;
  private lastTick: TickData | null = null;
  /** Ticks of minutes starting before this were pushed already. */
  private closedThrough = -Infinity;

  private windowBar: BarData | null = null;
  /** End (exclusive) of the x-minute window, the hour or the trading day in progress. */
  private windowEnd = 0;
  /** x-hour bars: the hour bar in progress, and how many hours the window bar holds. */
  private hourBar: BarData | null = null;
  private hourEnd = 0;
  private hoursInWindow = 0;

  // The data clock: the latest data time seen and the local time it was seen at. onTimer
  // advances it by the local time elapsed since, so closing works whatever the data's clock is
  // (an exchange in another zone, a skewed host, a simulation started in the past).
  private anchorData = Number.NaN;
  private anchorLocal = 0;

  private readonly counters: BarGeneratorStats = { lateTicks: 0, lateBars: 0, timerClosed: 0 };

  constructor(onBar: (bar: BarData) => void, options: BarGeneratorOptions = {}) {
    this.onBar = onBar;
    this.onWindowBar = options.onWindowBar;
    this.window = options.window ?? 0;
    this.interval = options.interval ?? Interval.MINUTE;
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.clock = options.clock ?? Date.now;
    this.offsetOf = offsetFinder(options.timezone ?? "UTC");
    if (!Number.isInteger(this.window) || this.window < 0) invalid(`window must be a whole number >= 0, not ${String(options.window)}`);
    if (!(this.graceMs >= 0)) invalid(`graceMs must be a number >= 0, not ${String(options.graceMs)}`);
    if (this.interval === Interval.MINUTE) {
      if (this.window > 0 && 60 % this.window !== 0) {
        invalid(`a window of ${this.window} minutes does not divide the hour: use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60`);
      }
    } else if (this.interval !== Interval.HOUR && this.interval !== Interval.DAILY) {
      invalid(`interval must be Interval.MINUTE, HOUR or DAILY, not ${JSON.stringify(this.interval)}`);
    }
    if (this.interval === Interval.DAILY) {
      if (options.dailyEnd === undefined) invalid('interval DAILY needs dailyEnd, the time the trading day ends ("15:00")');
      this.dailyEndMinutes = parseClockTime(options.dailyEnd, "dailyEnd");
    } else {
      this.dailyEndMinutes = 0;
    }
  }

  /** Counters of dropped and timer-closed data. */
  stats(): BarGeneratorStats {
    return { ...this.counters };
  }

  /** The 1-minute bar in progress, if any (do not change it). */
  get currentBar(): BarData | null {
    return this.bar;
  }

  /**
   * Adds a tick to the 1-minute bar in progress; a tick of a later minute first pushes that bar.
   * Ticks with a zero (or NaN) last price are ignored; ticks of a minute already pushed are
   * dropped and counted.
   */
  updateTick(tick: TickData): void {
    const price = tick.lastPrice;
    if (!price) return;
    const t = tick.datetime;
    const minute = t - mod(t, MINUTE_MS);
    let bar = this.bar;
    if (minute < this.closedThrough || (bar !== null && minute < bar.datetime)) {
      this.counters.lateTicks++;
      return;
    }
    this.touch(t);
    const last = this.lastTick;
    if (bar !== null && minute > bar.datetime) {
      this.pushMinute(bar);
      bar = null;
    }
    if (bar === null) {
      bar = createBar({
        gatewayName: tick.gatewayName,
        symbol: tick.symbol,
        exchange: tick.exchange,
        datetime: minute,
        interval: Interval.MINUTE,
        openPrice: price,
        highPrice: price,
        lowPrice: price,
        closePrice: price,
        openInterest: tick.openInterest,
      });
      this.bar = bar;
    } else if (last !== null && t < last.datetime) {
      // Older than the latest tick but of the same minute: its price happened in this bar, but
      // the close, open interest and cumulative volume stay the latest tick's.
      if (price > bar.highPrice) bar.highPrice = price;
      if (price < bar.lowPrice) bar.lowPrice = price;
      return;
    } else {
      if (price > bar.highPrice) bar.highPrice = price;
      if (price < bar.lowPrice) bar.lowPrice = price;
      // The session high/low moved between two snapshots: a trade printed there (vnpy does the same).
      if (last !== null) {
        if (tick.highPrice > last.highPrice && tick.highPrice > bar.highPrice) bar.highPrice = tick.highPrice;
        if (tick.lowPrice < last.lowPrice && tick.lowPrice > 0 && tick.lowPrice < bar.lowPrice) bar.lowPrice = tick.lowPrice;
      }
      bar.closePrice = price;
      bar.openInterest = tick.openInterest;
    }
    if (last !== null && t >= last.datetime) {
      // Cumulative day totals: a drop is a new trading day (or a feed reset), never negative volume.
      const dv = tick.volume - last.volume;
      if (dv > 0) bar.volume += dv;
      const dt = tick.turnover - last.turnover;
      if (dt > 0) bar.turnover += dt;
    }
    this.lastTick = tick;
  }

  /**
   * Adds a finished 1-minute bar to the window bar in progress (x-minute, x-hour or daily, as
   * configured), pushing window bars to `onWindowBar` as they finish.
   */
  updateBar(bar: BarData): void {
    this.touch(bar.datetime + MINUTE_MS);
    if (this.interval === Interval.MINUTE) this.updateMinuteWindow(bar);
    else if (this.interval === Interval.HOUR) this.updateHourWindow(bar);
    else this.updateDailyWindow(bar);
  }

  /** Pushes the 1-minute bar in progress now (at shutdown, end of data); returns it, or null. */
  generate(): BarData | null {
    const bar = this.bar;
    if (bar === null) return null;
    this.pushMinute(bar);
    return bar;
  }

  /**
   * Pushes what is over: the minute bar (and window bar) whose end plus `graceMs` has passed on the
   * data clock. Call it from a timer (EVENT_TIMER); `now` is the local time (default `clock()`).
   */
  onTimer(now: number = this.clock()): void {
    if (Number.isNaN(this.anchorData)) return;
    const dataNow = this.anchorData + Math.max(0, now - this.anchorLocal);
    const bar = this.bar;
    if (bar !== null && dataNow >= bar.datetime + MINUTE_MS + this.graceMs) {
      this.counters.timerClosed++;
      this.pushMinute(bar);
    }
    if (this.interval === Interval.HOUR) {
      const hour = this.hourBar;
      if (hour !== null && dataNow >= this.hourEnd + this.graceMs) this.finishHour(hour);
    } else {
      const windowBar = this.windowBar;
      if (windowBar !== null && dataNow >= this.windowEnd + this.graceMs) this.pushWindow(windowBar);
    }
  }

  // ------------------------------------------------------------------ minute bars

  private pushMinute(bar: BarData): void {
    this.bar = null;
    this.closedThrough = bar.datetime + MINUTE_MS;
    this.onBar(bar);
  }

  /** Moves the data clock forward to data time `t` (never back). */
  private touch(t: number): void {
    const local = this.clock();
    if (Number.isNaN(this.anchorData) || t > this.anchorData + (local - this.anchorLocal)) {
      this.anchorData = t;
      this.anchorLocal = local;
    }
  }

  // ------------------------------------------------------------------ window bars

  private updateMinuteWindow(bar: BarData): void {
    if (this.window === 0) return;
    const local = bar.datetime + this.offsetOf(bar.datetime);
    const start = bar.datetime - mod(local, this.window * MINUTE_MS);
    const end = start + this.window * MINUTE_MS;
    if (!this.joinWindow(bar, start, end)) return;
    if (bar.datetime + MINUTE_MS >= end) this.pushWindow(this.windowBar!);
  }

  private updateHourWindow(bar: BarData): void {
    const local = bar.datetime + this.offsetOf(bar.datetime);
    const start = bar.datetime - mod(local, HOUR_MS);
    const end = start + HOUR_MS;
    let hour = this.hourBar;
    if (hour !== null && end !== this.hourEnd) {
      if (end < this.hourEnd) {
        this.counters.lateBars++;
        return;
      }
      this.finishHour(hour);
      hour = null;
    }
    if (hour === null) {
      this.hourBar = windowFrom(bar, start, Interval.HOUR);
      this.hourEnd = end;
    } else {
      merge(hour, bar);
    }
    if (bar.datetime + MINUTE_MS >= end) this.finishHour(this.hourBar!);
  }

  /** A finished hour: the window bar itself (window 1) or one more hour of an x-hour bar. */
  private finishHour(hour: BarData): void {
    this.hourBar = null;
    const n = Math.max(this.window, 1);
    if (n === 1) {
      this.onWindowBar?.(hour);
      return;
    }
    // x-hour bars count the hours that had data, as vnpy does (sessions with breaks keep x
    // trading hours per bar); they are labelled with their first hour.
    if (this.windowBar === null) this.windowBar = { ...hour };
    else merge(this.windowBar, hour);
    this.hoursInWindow++;
    if (this.hoursInWindow >= n) {
      const windowBar = this.windowBar;
      this.windowBar = null;
      this.hoursInWindow = 0;
      this.onWindowBar?.(windowBar);
    }
  }

  private updateDailyWindow(bar: BarData): void {
    const end = this.nextDailyEnd(bar.datetime);
    // Labelled at local midnight of the day the session ends on (vnpy's convention).
    const endLocal = end - 1 + this.offsetOf(end - 1);
    const label = end - 1 - mod(endLocal, DAY_MS);
    if (!this.joinWindow(bar, label, end, Interval.DAILY)) return;
    if (bar.datetime + MINUTE_MS >= end) this.pushWindow(this.windowBar!);
  }

  /** Adds `bar` to the window ending at `end`, pushing the one in progress if it ends earlier. */
  private joinWindow(bar: BarData, start: number, end: number, interval: Interval = Interval.MINUTE): boolean {
    let windowBar = this.windowBar;
    if (windowBar !== null && end !== this.windowEnd) {
      if (end < this.windowEnd) {
        this.counters.lateBars++;
        return false;
      }
      this.pushWindow(windowBar);
      windowBar = null;
    }
    if (windowBar === null) {
      this.windowBar = windowFrom(bar, start, interval);
      this.windowEnd = end;
    } else {
      merge(windowBar, bar);
    }
    return true;
  }

  private pushWindow(windowBar: BarData): void {
    this.windowBar = null;
    this.onWindowBar?.(windowBar);
  }

  /** The first instant after `t` at which the local clock reads `dailyEnd`. */
  private nextDailyEnd(t: number): number {
    const endOfDay = this.dailyEndMinutes * MINUTE_MS;
    const local = t + this.offsetOf(t);
    let candidate = local - mod(local, DAY_MS) + endOfDay;
    if (candidate <= local) candidate += DAY_MS;
    // Back to UTC with the offset in force at the end itself (it differs across a DST change).
    let utc = candidate - this.offsetOf(candidate - this.offsetOf(t));
    if (utc <= t) utc += DAY_MS;
    return utc;
  }
}

function windowFrom(bar: BarData, start: number, interval: Interval): BarData {
  return createBar({
    gatewayName: bar.gatewayName,
    symbol: bar.symbol,
    exchange: bar.exchange,
    datetime: start,
    interval,
    openPrice: bar.openPrice,
    highPrice: bar.highPrice,
    lowPrice: bar.lowPrice,
    closePrice: bar.closePrice,
    volume: bar.volume,
    turnover: bar.turnover,
    openInterest: bar.openInterest,
  });
}

function merge(into: BarData, bar: BarData): void {
  if (bar.highPrice > into.highPrice) into.highPrice = bar.highPrice;
  if (bar.lowPrice < into.lowPrice) into.lowPrice = bar.lowPrice;
  into.closePrice = bar.closePrice;
  into.volume += bar.volume;
  into.turnover += bar.turnover;
  into.openInterest = bar.openInterest;
}

/** Non-negative remainder (epoch times before 1970 included). */
function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

function invalid(why: string): never {
  throw new TickwireError("TW_TRADER_BAD_OPTION", `BarGenerator: ${why}.`);
}
