import { isActive, type BarData, type OrderData, type TickData } from "../trader/objects.js";
import { CtaTemplate } from "./CtaTemplate.js";
import { EngineType } from "./StrategyHost.js";

/**
 * vnpy's TargetPosTemplate: the strategy says which position it wants (`setTargetPos`) and the
 * template works the orders: it cancels what is still open first, then sends one aggressive
 * limit order (last ask/bid ± tickAdd, or the bar close ± tickAdd) for the difference. Live it
 * closes before it opens; in a backtest it opens and closes with one order, as vnpy does.
 * Subclasses that override onTick/onBar/onOrder call `super` first.
 */
export abstract class TargetPosTemplate extends CtaTemplate {
  /** Price added beyond the touch so the order fills. */
  tickAdd = 1;
  lastTick: TickData | null = null;
  lastBar: BarData | null = null;
  targetPos = 0;
  protected activeOrderids: string[] = [];
  protected cancelOrderids: string[] = [];

  override getVariables(): Record<string, unknown> {
    return { ...super.getVariables(), targetPos: this.targetPos };
  }

  override onTick(tick: TickData): void {
    this.lastTick = tick;
  }

  override onBar(bar: BarData): void {
    this.lastBar = bar;
  }

  override onOrder(order: OrderData): void {
    if (isActive(order)) return;
    remove(this.activeOrderids, order.vtOrderid);
    remove(this.cancelOrderids, order.vtOrderid);
  }

  checkOrderFinished(): boolean {
    return this.activeOrderids.length === 0;
  }

  setTargetPos(targetPos: number): void {
    this.targetPos = targetPos;
    this.trade();
  }

  protected trade(): void {
    if (!this.checkOrderFinished()) this.cancelOldOrder();
    else this.sendNewOrder();
  }

  protected cancelOldOrder(): void {
    for (const id of [...this.activeOrderids]) {
      if (this.cancelOrderids.includes(id)) continue;
      this.cancelOrder(id);
      this.cancelOrderids.push(id);
    }
  }

  protected sendNewOrder(): void {
    const change = this.targetPos - this.pos;
    if (!change) return;
    let longPrice = 0;
    let shortPrice = 0;
    if (this.lastTick) {
      if (change > 0) {
        longPrice = this.lastTick.askPrice1 + this.tickAdd;
        if (this.lastTick.limitUp) longPrice = Math.min(longPrice, this.lastTick.limitUp);
      } else {
        shortPrice = this.lastTick.bidPrice1 - this.tickAdd;
        if (this.lastTick.limitDown) shortPrice = Math.max(shortPrice, this.lastTick.limitDown);
      }
    } else if (this.lastBar) {
      if (change > 0) longPrice = this.lastBar.closePrice + this.tickAdd;
      else shortPrice = this.lastBar.closePrice - this.tickAdd;
    } else {
      return;
    }

    let ids: string[];
    if (this.getEngineType() === EngineType.BACKTESTING) {
      ids = change > 0 ? this.buy(longPrice, Math.abs(change)) : this.short(shortPrice, Math.abs(change));
    } else {
      if (this.activeOrderids.length > 0) return;
      if (change > 0) {
        if (this.pos < 0) ids = this.cover(longPrice, Math.min(change, Math.abs(this.pos)));
        else ids = this.buy(longPrice, change);
      } else if (this.pos > 0) {
        ids = this.sell(shortPrice, Math.min(Math.abs(change), this.pos));
      } else {
        ids = this.short(shortPrice, Math.abs(change));
      }
    }
    this.activeOrderids.push(...ids);
  }
}

function remove(list: string[], id: string): void {
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
}
