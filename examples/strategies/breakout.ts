/**
 * A channel breakout with stop orders: flat, it rests a buy stop at the highest high and a
 * short stop at the lowest low of the last `entryWindow` bars; in a position, a stop at the
 * other side of the shorter `exitWindow` channel closes it. Stop orders fill when the bar
 * reaches them (vnpy's rule: at the stop, or at the open when the bar gaps through).
 */
import { ArrayManager, CtaTemplate } from "../../src/strategy/index.js";
import type { BarData } from "../../src/trader/index.js";

export class BreakoutStrategy extends CtaTemplate {
  static override author = "tickwire";
  static override parameters = ["entryWindow", "exitWindow", "fixedSize"];
  static override variables = ["entryUp", "entryDown", "exitUp", "exitDown"];

  entryWindow = 20;
  exitWindow = 10;
  fixedSize = 1;
  entryUp = 0;
  entryDown = 0;
  exitUp = 0;
  exitDown = 0;

  private am = new ArrayManager(1);

  override async onInit(): Promise<void> {
    this.am = new ArrayManager(Math.max(this.entryWindow, this.exitWindow) + 1);
    await this.loadBar(10);
  }

  override onBar(bar: BarData): void {
    this.cancelAll();
    const am = this.am;
    am.updateBar(bar);
    if (!am.inited) return;
    [this.entryUp, this.entryDown] = am.donchian(this.entryWindow);
    [this.exitUp, this.exitDown] = am.donchian(this.exitWindow);

    if (this.pos === 0) {
      this.buy(this.entryUp, this.fixedSize, { stop: true });
      this.short(this.entryDown, this.fixedSize, { stop: true });
    } else if (this.pos > 0) {
      this.sell(this.exitDown, Math.abs(this.pos), { stop: true });
    } else {
      this.cover(this.exitUp, Math.abs(this.pos), { stop: true });
    }
  }
}

export default BreakoutStrategy;
