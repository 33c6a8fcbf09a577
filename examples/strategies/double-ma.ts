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

  private closes = new Float64Array(0);
  private count = 0;

  override onInit(): void {
    this.closes = new Float64Array(Math.max(this.fastWindow, this.slowWindow) + 1);
    this.count = 0;
    this.writeLog("inited");
  }

  /** Mean of the `n` closes ending `back` bars before the latest, summed oldest first. */
  private mean(n: number, back: number): number {
    const cap = this.closes.length;
    let s = 0;
    for (let i = this.count - back - n; i < this.count - back; i++) s += this.closes[i % cap];
    return s / n;
  }

  override onBar(bar: BarData): void {
    this.cancelAll();
    this.closes[this.count % this.closes.length] = bar.closePrice;
    this.count++;
    if (this.count < this.closes.length) return;

    const fast0 = this.mean(this.fastWindow, 0);
    const slow0 = this.mean(this.slowWindow, 0);
    const fast1 = this.mean(this.fastWindow, 1);
    const slow1 = this.mean(this.slowWindow, 1);
    this.fast0 = fast0;
    this.slow0 = slow0;

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
