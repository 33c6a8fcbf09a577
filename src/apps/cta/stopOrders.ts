import { Direction, type Offset } from "../../trader/constants.js";
import { STOPORDER_PREFIX, StopOrderStatus, type StopOrder } from "../../strategy/StrategyHost.js";
import type { ContractData, TickData } from "../../trader/objects.js";
import type { Hosted } from "./hosted.js";

/** What the stop orders need of the engine. */
export interface StopOrderHost {
  strategy(strategyName: string): Hosted | undefined;
  contract(vtSymbol: string): ContractData | undefined;
  /** Sends the triggered stop order as a limit at `price`; answers the ids sent. */
  send(h: Hosted, contract: ContractData, so: StopOrder, price: number): string[];
  /** Reports the stop order's new status (an event and the strategy's onStopOrder). */
  changed(h: Hosted, so: StopOrder): void;
}

/** The stop orders kept by the engine (not sent to the venue): waiting until a tick reaches their price. */
export class LocalStopOrders {
  private readonly orders = new Map<string, StopOrder>();
  private count = 0;

  constructor(private readonly host: StopOrderHost) {}

  get size(): number {
    return this.orders.size;
  }

  /** Places a waiting stop order of `h`, with the next `STOP.<n>` id; answers that id. */
  place(h: Hosted, direction: Direction, offset: Offset, price: number, volume: number, datetime: number): string {
    const s = h.strategy;
    const so: StopOrder = {
      vtSymbol: s.vtSymbol,
      direction,
      offset,
      price,
      volume,
      stopOrderid: `${STOPORDER_PREFIX}.${++this.count}`,
      strategyName: s.strategyName,
      datetime,
      lock: false,
      net: false,
      vtOrderids: [],
      status: StopOrderStatus.WAITING,
    };
    this.orders.set(so.stopOrderid, so);
    this.host.changed(h, so);
    return so.stopOrderid;
  }

  /** Triggers waiting stop orders the tick's last price reached, as limits at the far side of the book. */
  check(tick: TickData): void {
    for (const so of this.all()) {
      if (!stopReached(so, tick)) continue;
      const h = this.host.strategy(so.strategyName);
      const contract = this.host.contract(so.vtSymbol);
      this.orders.delete(so.stopOrderid);
      if (!h || !contract || !h.strategy.trading) continue;
      so.vtOrderids = this.host.send(h, contract, so, triggerPrice(so, tick));
      so.status = StopOrderStatus.TRIGGERED;
      this.host.changed(h, so);
    }
  }

  /** Cancels a waiting stop order of `h` (another strategy's is left alone). */
  cancel(h: Hosted, stopOrderid: string): void {
    const so = this.orders.get(stopOrderid);
    if (!so || so.strategyName !== h.strategy.strategyName) return;
    this.orders.delete(stopOrderid);
    so.status = StopOrderStatus.CANCELLED;
    this.host.changed(h, so);
  }

  /** Cancels every waiting stop order of `h`. */
  cancelAll(h: Hosted): void {
    for (const so of this.all()) if (so.strategyName === h.strategy.strategyName) this.cancel(h, so.stopOrderid);
  }

  all(): StopOrder[] {
    return [...this.orders.values()];
  }

  /** Drops the stop orders of a removed strategy (no events). */
  removeStrategy(strategyName: string): void {
    for (const [id, so] of this.orders) if (so.strategyName === strategyName) this.orders.delete(id);
  }
}

export function isStopOrderid(id: string): boolean {
  return id.startsWith(STOPORDER_PREFIX + ".");
}

/** The tick's last price reached the stop order's price (at or above for a buy, at or below for a sell). */
export function stopReached(so: StopOrder, tick: TickData): boolean {
  if (so.vtSymbol !== tick.vtSymbol) return false;
  return !(so.direction === Direction.LONG ? tick.lastPrice < so.price : tick.lastPrice > so.price);
}

/** Aggressive so it fills now, as a stop should: the limit price, else 5 levels deep (vnpy's rule), else its own price. */
export function triggerPrice(so: StopOrder, tick: TickData): number {
  const price = so.direction === Direction.LONG ? tick.limitUp || tick.askPrice5 || tick.askPrice1 : tick.limitDown || tick.bidPrice5 || tick.bidPrice1;
  return price || so.price;
}
