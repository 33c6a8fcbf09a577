/**
 * A double moving-average cross, the strategy of the golden vnpy case (../shared/golden): on
 * every bar cancel what is still open, then on a cross of the fast over the slow simple
 * average go long (covering a short first), on a cross below go short (selling a long first),
 * one lot at the bar's close. Means are left-to-right sums / n, as the vnpy harness computes.
 *
 *   npx tsx examples/backtest-double-ma.ts
 */
import { CtaTemplate } from "../../src/strategy/index.js";
import type { BarData } from "../../src/trader/index.js";

export class DoubleMaStrategy extends CtaTemplate {
  static override author = "tickwire";
  static override parameters = ["fastWindow", "slowWindow", "fixedSize"];
  static override variables = ["fast0", "slow0"];

  fastWindow = 10;
  slowWindow = 30;
  fixedSize = 1;
  fast0 = 0;
  slow0 = 0;

  // The last `cap` closes, each written twice (at i and i + cap) so any window is contiguous.
  private closes = new Float64Array(0);
  private cap = 0;
  private last = 0;
  private count = 0;

  override onInit(): void {
    this.cap = Math.max(this.fastWindow, this.slowWindow);
    this.closes = new Float64Array(2 * this.cap);
    this.count = 0;
    this.writeLog("inited");
  }

  /** Mean of the last `n` closes, summed oldest first. */
  private mean(n: number): number {
    const end = this.last + this.cap;
    let s = 0;
    for (let i = end - n + 1; i <= end; i++) s += this.closes[i];
    return s / n;
  }

  override onBar(bar: BarData): void {
    this.cancelAll();
    this.last = this.count % this.cap;
    this.closes[this.last] = bar.closePrice;
    this.closes[this.last + this.cap] = bar.closePrice;
    this.count++;
    if (this.count < this.cap) return;

    // The means ending one bar earlier are the last bar's: the same sums, so the same numbers.
    const fast1 = this.fast0;
    const slow1 = this.slow0;
    const fast0 = this.mean(this.fastWindow);
    const slow0 = this.mean(this.slowWindow);
    this.fast0 = fast0;
    this.slow0 = slow0;
    if (this.count === this.cap) return;

    if (fast0 > slow0 && fast1 < slow1) {
      if (this.pos === 0) this.buy(bar.closePrice, this.fixedSize);
      else if (this.pos < 0) {
        this.cover(bar.closePrice, Math.abs(this.pos));
        this.buy(bar.closePrice, this.fixedSize);
      }
    } else if (fast0 < slow0 && fast1 > slow1) {
      if (this.pos === 0) this.short(bar.closePrice, this.fixedSize);
      else if (this.pos > 0) {
        this.sell(bar.closePrice, Math.abs(this.pos));
        this.short(bar.closePrice, this.fixedSize);
      }
    }
  }
}

export default DoubleMaStrategy;
