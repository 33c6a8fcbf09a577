/**
 * vnpy's AtrRsiStrategy demo: when volatility is rising (ATR above its own average), enter on
 * RSI strength or weakness with a limit order a few ticks through the close, then trail a
 * stop `trailingPercent` behind the best price since entry.
 */
import { ArrayManager, CtaTemplate } from "../../src/strategy/index.js";
import type { BarData } from "../../src/trader/index.js";

export class AtrRsiStrategy extends CtaTemplate {
  static override author = "tickwire (after vnpy)";
  static override parameters = ["atrLength", "atrMaLength", "rsiLength", "rsiEntry", "trailingPercent", "fixedSize"];
  static override variables = ["atrValue", "atrMa", "rsiValue", "intraTradeHigh", "intraTradeLow"];

  atrLength = 22;
  atrMaLength = 10;
  rsiLength = 5;
  rsiEntry = 16;
  trailingPercent = 0.8;
  fixedSize = 1;

  atrValue = 0;
  atrMa = 0;
  rsiValue = 0;
  intraTradeHigh = 0;
  intraTradeLow = 0;

  private am = new ArrayManager();

  override async onInit(): Promise<void> {
    this.am = new ArrayManager();
    await this.loadBar(10);
  }

  override onBar(bar: BarData): void {
    this.cancelAll();
    const am = this.am;
    am.updateBar(bar);
    if (!am.inited) return;

    const atr = am.atr(this.atrLength, true);
    this.atrValue = atr[atr.length - 1];
    let sum = 0;
    for (let i = atr.length - this.atrMaLength; i < atr.length; i++) sum += atr[i];
    this.atrMa = sum / this.atrMaLength;
    this.rsiValue = am.rsi(this.rsiLength);

    if (this.pos === 0) {
      this.intraTradeHigh = bar.highPrice;
      this.intraTradeLow = bar.lowPrice;
      if (this.atrValue > this.atrMa) {
        if (this.rsiValue > 50 + this.rsiEntry) this.buy(bar.closePrice + 5, this.fixedSize);
        else if (this.rsiValue < 50 - this.rsiEntry) this.short(bar.closePrice - 5, this.fixedSize);
      }
    } else if (this.pos > 0) {
      this.intraTradeHigh = Math.max(this.intraTradeHigh, bar.highPrice);
      this.intraTradeLow = bar.lowPrice;
      this.sell(this.intraTradeHigh * (1 - this.trailingPercent / 100), Math.abs(this.pos), { stop: true });
    } else {
      this.intraTradeLow = Math.min(this.intraTradeLow, bar.lowPrice);
      this.intraTradeHigh = bar.highPrice;
      this.cover(this.intraTradeLow * (1 + this.trailingPercent / 100), Math.abs(this.pos), { stop: true });
    }
  }
}

export default AtrRsiStrategy;
