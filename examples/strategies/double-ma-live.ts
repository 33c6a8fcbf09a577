/**
 * The double moving-average cross made to run live as well: ticks become minute bars
 * (BarGenerator) and go to the very `onBar` the backtester calls, and `onInit` warms the
 * averages up on the last day of history. In the backtester (bar mode) `onTick` is never
 * called, so the same class backtests as DoubleMaStrategy does.
 *
 *   npm run tickwire -- run --strategies examples/strategies.json
 */
import { BarGenerator } from "../../src/strategy/index.js";
import type { TickData } from "../../src/trader/index.js";
import { DoubleMaStrategy } from "./double-ma.js";

export class DoubleMaLiveStrategy extends DoubleMaStrategy {
  static override parameters = [...DoubleMaStrategy.parameters, "warmupDays"];

  warmupDays = 1;
  private readonly bg = new BarGenerator((bar) => this.onBar(bar));

  override async onInit(): Promise<void> {
    super.onInit();
    await this.loadBar(this.warmupDays);
  }

  override onTick(tick: TickData): void {
    this.bg.updateTick(tick);
  }
}

export default DoubleMaLiveStrategy;
