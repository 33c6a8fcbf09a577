import { Interval } from "../trader/constants.js";
import { createBar, type BarData, type TickData } from "../trader/objects.js";

const MINUTE_MS = 60_000;

/**
 * Minute bars from ticks (vnpy's BarGenerator, the 1-minute part): a bar starts at its minute
 * and is handed to `onBar` when the first tick of a later minute arrives, so a live strategy
 * sees the same bars the backtester replays from history.
 */
export class BarGenerator {
  private bar: BarData | undefined = undefined;
  private lastVolume = -1;

  constructor(private readonly onBar: (bar: BarData) => unknown) {}

  updateTick(tick: TickData): void {
    // A tick without a trade price (an empty book at the open) cannot start or move a bar.
    if (tick.lastPrice === 0) return;
    const minute = Math.floor(tick.datetime / MINUTE_MS) * MINUTE_MS;
    let bar = this.bar;
    if (bar !== undefined && bar.datetime !== minute) {
      this.bar = undefined;
      this.onBar(bar);
      bar = undefined;
    }
    const price = tick.lastPrice;
    if (bar === undefined) {
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
    } else {
      if (price > bar.highPrice) bar.highPrice = price;
      if (price < bar.lowPrice) bar.lowPrice = price;
      bar.closePrice = price;
      bar.openInterest = tick.openInterest;
    }
    // Tick volume is the day's running total: a bar gets the growth (vnpy's rule; a reset counts 0).
    if (this.lastVolume >= 0) bar.volume += Math.max(tick.volume - this.lastVolume, 0);
    this.lastVolume = tick.volume;
  }

  /** Hands over the bar being built (at the end of a session) and starts afresh. */
  flush(): void {
    const bar = this.bar;
    this.bar = undefined;
    if (bar !== undefined) this.onBar(bar);
  }
}
