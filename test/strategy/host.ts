/** A StrategyHost that records calls: the smallest host a strategy can run in. */
import { Exchange, Interval, createBar, type BarData, type TickData } from "../../src/trader/index.js";
import { EngineType, type HostedStrategy, type StrategyHost } from "../../src/strategy/index.js";

export class RecordingHost implements StrategyHost {
  orders: { direction: string; offset: string; price: number; volume: number; stop: boolean }[] = [];
  logs: string[] = [];
  cancels: string[] = [];
  bars: BarData[] = [];
  asyncHistory = false;
  private next = 0;

  sendOrder(_s: HostedStrategy, direction: string, offset: string, price: number, volume: number, stop: boolean): string[] {
    this.orders.push({ direction, offset, price, volume, stop });
    return [`TEST.${++this.next}`];
  }
  cancelOrder(_s: HostedStrategy, id: string): void {
    this.cancels.push(id);
  }
  cancelAll(): void {
    this.cancels.push("*");
  }
  writeLog(_s: HostedStrategy, msg: string): void {
    this.logs.push(msg);
  }
  getEngineType(): EngineType {
    return EngineType.BACKTESTING;
  }
  getPricetick(): number {
    return 1;
  }
  getSize(): number {
    return 10;
  }
  loadBar(): readonly BarData[] | Promise<readonly BarData[]> {
    return this.asyncHistory ? Promise.resolve(this.bars) : this.bars;
  }
  loadTick(): readonly TickData[] {
    return [];
  }
  putStrategyEvent(): void {}
  syncStrategyData(): void {}
}

/** Bars of a seeded random walk (integer prices), one a minute from 2024-01-02 UTC. */
export function randomBars(n: number, seed = 1, start = Date.UTC(2024, 0, 2, 9)): BarData[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const bars: BarData[] = [];
  let close = 3500;
  for (let i = 0; i < n; i++) {
    const open = close;
    close = open + Math.round((rnd() - 0.5) * 10);
    const high = Math.max(open, close) + Math.round(rnd() * 4);
    const low = Math.min(open, close) - Math.round(rnd() * 4);
    bars.push(
      createBar({
        gatewayName: "TEST",
        symbol: "rb2410",
        exchange: Exchange.SHFE,
        interval: Interval.MINUTE,
        datetime: start + i * 60_000,
        openPrice: open,
        highPrice: high,
        lowPrice: low,
        closePrice: close,
        volume: 100 + Math.round(rnd() * 1000),
        turnover: 0,
        openInterest: 1000,
      }),
    );
  }
  return bars;
}
