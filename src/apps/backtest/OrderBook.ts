/**
 * The orders of one backtest run: limit and stop orders sent, cancelled and crossed against the
 * datum being replayed by vnpy's rules (or the strict model), their fills, and the logs of every
 * order and trade (as columns). The engine moves the cursor (bar or tick, datetime, barIndex);
 * the strategy's callbacks for order, stop order and trade updates go through `calls`.
 */
import { Direction, OrderType, Status, type Offset } from "../../trader/constants.js";
import { createOrder, type BarData, type OrderData, type TickData, type TradeData } from "../../trader/objects.js";
import { isPromiseLike, type CtaTemplate } from "../../strategy/CtaTemplate.js";
import { STOPORDER_PREFIX, StopOrderStatus, type StopOrder } from "../../strategy/StrategyHost.js";
import { ActiveSet } from "./ActiveSet.js";
import { OrderColumns, TradeColumns, type Instrument } from "./columns.js";
import type { Settings } from "./parameters.js";

export const GATEWAY = "BACKTESTING";
const NONE_TAKEN: readonly [number, number] = [0, 0];

/** What strategy callbacks left running (promises), awaited before the next datum. */
export class PendingCalls {
  list: Promise<unknown>[] = [];

  /** The result of a strategy callback: a promise is kept. */
  add(r: unknown): void {
    if (r === undefined) return;
    if (isPromiseLike(r)) this.list.push(Promise.resolve(r));
  }

  get size(): number {
    return this.list.length;
  }

  take(): Promise<unknown>[] {
    const list = this.list;
    this.list = [];
    return list;
  }
}

/** A pending limit order with the bar it was sent on (for the strict model). */
interface ActiveOrder {
  order: OrderData;
  sentAt: number;
  /** Position in the order log (order number − 1). */
  index: number;
}

interface ActiveStop {
  stop: StopOrder;
  sentAt: number;
  index: number;
}

/** A copy of `o` in a new state, built field by field in OrderData's key order (one hidden class). */
function orderWith(o: OrderData, traded: number, status: Status): OrderData {
  return {
    gatewayName: o.gatewayName,
    symbol: o.symbol,
    exchange: o.exchange,
    vtSymbol: o.vtSymbol,
    orderid: o.orderid,
    vtOrderid: o.vtOrderid,
    type: o.type,
    direction: o.direction,
    offset: o.offset,
    price: o.price,
    volume: o.volume,
    traded,
    status,
    datetime: o.datetime,
    reference: o.reference,
    statusMsg: o.statusMsg,
  };
}

export class OrderBook {
  // The cursor: the datum being replayed, set by the engine before crossing.
  bar: BarData | null = null;
  tick: TickData | null = null;
  /** Datetime of the datum being replayed, epoch ms. */
  datetime = 0;
  /** Data replayed so far in the run (the strict model's "not on the bar it was sent"). */
  barIndex = 0;
  /** Strict model, bar mode: the bar's volume not traded yet. */
  volumeLeft = 0;

  private p!: Settings;
  private strategy!: CtaTemplate;
  private readonly calls: PendingCalls;

  private limitOrderCount = 0;
  // Every order by number − 1 (ids are sequential), latest state, as columns.
  private readonly orderLog = new OrderColumns();
  readonly activeLimitOrders = new ActiveSet<ActiveOrder>();
  private stopOrderCount = 0;
  private readonly stopOrders: StopOrder[] = [];
  readonly activeStopOrders = new ActiveSet<ActiveStop>();
  /** What crossLimitOrder / crossStopOrder iterate over (reused: no array per bar). */
  private readonly limitScratch: ActiveOrder[] = [];
  private readonly stopScratch: ActiveStop[] = [];
  private tradeCount = 0;
  readonly tradeLog = new TradeColumns();

  constructor(calls: PendingCalls) {
    this.calls = calls;
  }

  /** Empty, for a run with settings `p` whose updates go to `strategy`. */
  reset(p: Settings, strategy: CtaTemplate): void {
    this.p = p;
    this.strategy = strategy;
    this.bar = null;
    this.tick = null;
    this.datetime = 0;
    this.barIndex = 0;
    this.volumeLeft = 0;
    this.limitOrderCount = 0;
    this.orderLog.clear();
    this.activeLimitOrders.clear();
    this.stopOrderCount = 0;
    this.stopOrders.length = 0;
    this.activeStopOrders.clear();
    this.limitScratch.length = 0;
    this.stopScratch.length = 0;
    this.tradeCount = 0;
    this.tradeLog.clear();
    this.tickTaken = [0, 0];
    this.tickTakenAt = -1;
  }

  /** vnpy's (or the strict) crossing of the pending limit orders against the current datum. */
  crossLimitOrder(): void {
    const p = this.p;
    const strict = p.fillModel === "strict";
    let longCross: number;
    let shortCross: number;
    let longBest: number;
    let shortBest: number;
    if (p.mode === "bar") {
      const b = this.bar!;
      longCross = b.lowPrice;
      shortCross = b.highPrice;
      longBest = b.openPrice;
      shortBest = b.openPrice;
    } else {
      const t = this.tick!;
      longCross = t.askPrice1;
      shortCross = t.bidPrice1;
      longBest = longCross;
      shortBest = shortCross;
    }
    const s = this.strategy;
    // Into a reused array (this is not re-entered: callbacks only send and cancel).
    const entries = this.limitScratch;
    const n = this.activeLimitOrders.copyInto(entries);
    for (let k = 0; k < n; k++) {
      const entry = entries[k];
      let order = entry.order;
      if (!this.activeLimitOrders.has(order.vtOrderid)) continue;
      if (order.status === Status.SUBMITTING) {
        // Changed in place: a SUBMITTING order has not been pushed to anyone yet.
        order.status = Status.NOTTRADED;
        this.orderLog.update(entry.index, order);
        this.calls.add(s.onOrder(order));
      }
      if (strict && entry.sentAt === this.barIndex) continue;
      const isLong = order.direction === Direction.LONG;
      const crossed = isLong
        ? longCross > 0 && (strict && p.mode === "bar" ? order.price > longCross : order.price >= longCross)
        : shortCross > 0 && (strict && p.mode === "bar" ? order.price < shortCross : order.price <= shortCross);
      if (!crossed) continue;

      let volume = order.volume - order.traded;
      if (strict) {
        volume = Math.min(volume, this.liquidity(isLong));
        if (volume <= 0) continue;
        this.consume(isLong, volume);
      }
      const traded = order.traded + volume;
      const status = traded >= order.volume ? Status.ALLTRADED : Status.PARTTRADED;
      order = this.updateOrder(entry, orderWith(order, traded, status));
      if (status === Status.ALLTRADED) this.activeLimitOrders.delete(order.vtOrderid);
      this.calls.add(s.onOrder(order));

      const price = isLong ? Math.min(order.price, longBest) : Math.max(order.price, shortBest);
      this.fill(order, entry.index + 1, price, volume);
    }
  }

  /** What the strict model lets trade now: the bar's volume left, or the touch's size for ticks. */
  private liquidity(isLong: boolean): number {
    if (this.p.mode === "bar") return this.volumeLeft;
    const t = this.tick!;
    // What earlier orders took counts on the tick it was taken on only.
    const taken = this.tickTakenAt === this.barIndex ? this.tickTaken : NONE_TAKEN;
    return isLong ? t.askVolume1 - taken[0] : t.bidVolume1 - taken[1];
  }

  private tickTaken: [number, number] = [0, 0];
  private tickTakenAt = -1;

  private consume(isLong: boolean, volume: number): void {
    if (this.p.mode === "bar") {
      this.volumeLeft -= volume;
      return;
    }
    if (this.tickTakenAt !== this.barIndex) {
      this.tickTaken = [0, 0];
      this.tickTakenAt = this.barIndex;
    }
    this.tickTaken[isLong ? 0 : 1] += volume;
  }

  private updateOrder(entry: ActiveOrder, order: OrderData): OrderData {
    entry.order = order;
    this.orderLog.update(entry.index, order);
    return order;
  }

  /** A trade of `order` (order number `orderNo`, its orderid as a number). */
  private fill(order: OrderData, orderNo: number, price: number, volume: number): void {
    this.tradeCount++;
    const tradeid = String(this.tradeCount);
    const trade: TradeData = {
      gatewayName: GATEWAY,
      symbol: order.symbol,
      exchange: order.exchange,
      vtSymbol: order.vtSymbol,
      orderid: order.orderid,
      vtOrderid: order.vtOrderid,
      tradeid,
      vtTradeid: `${GATEWAY}.${tradeid}`,
      direction: order.direction,
      offset: order.offset,
      price,
      volume,
      datetime: this.datetime,
    };
    const s = this.strategy;
    s.pos += order.direction === Direction.LONG ? volume : -volume;
    this.tradeLog.push(trade, orderNo);
    this.calls.add(s.onTrade(trade));
  }

  /** The pending stop orders against the current datum: each triggered one becomes an order and fills. */
  crossStopOrder(): void {
    const p = this.p;
    const strict = p.fillModel === "strict";
    let longCross: number;
    let shortCross: number;
    let longBest: number;
    let shortBest: number;
    if (p.mode === "bar") {
      const b = this.bar!;
      longCross = b.highPrice;
      shortCross = b.lowPrice;
      longBest = b.openPrice;
      shortBest = b.openPrice;
    } else {
      const t = this.tick!;
      longCross = t.lastPrice;
      shortCross = t.lastPrice;
      longBest = longCross;
      shortBest = shortCross;
    }
    const s = this.strategy;
    const entries = this.stopScratch;
    const n = this.activeStopOrders.copyInto(entries);
    for (let k = 0; k < n; k++) {
      const entry = entries[k];
      const stop = entry.stop;
      if (!this.activeStopOrders.has(stop.stopOrderid)) continue;
      if (strict && entry.sentAt === this.barIndex) continue;
      const isLong = stop.direction === Direction.LONG;
      const crossed = isLong ? stop.price <= longCross : stop.price >= shortCross;
      if (!crossed) continue;

      let volume = stop.volume;
      if (strict) {
        volume = Math.min(volume, this.liquidity(isLong));
        if (volume > 0) this.consume(isLong, volume);
      }
      this.limitOrderCount++;
      const filled = volume >= stop.volume;
      const order = createOrder({
        gatewayName: GATEWAY,
        symbol: p.symbol,
        exchange: p.exchange,
        orderid: String(this.limitOrderCount),
        type: OrderType.STOP,
        direction: stop.direction,
        offset: stop.offset,
        price: stop.price,
        volume: stop.volume,
        traded: Math.max(volume, 0),
        status: filled ? Status.ALLTRADED : volume > 0 ? Status.PARTTRADED : Status.NOTTRADED,
        datetime: this.datetime,
      });
      const index = this.orderLog.push(order);
      // Strict model: what the bar could not fill rests as a limit order at the stop price.
      if (!filled) this.activeLimitOrders.set(order.vtOrderid, { order, sentAt: this.barIndex, index });

      const triggered: StopOrder = { ...stop, vtOrderids: [...stop.vtOrderids, order.vtOrderid], status: StopOrderStatus.TRIGGERED };
      this.stopOrders[entry.index] = triggered;
      this.activeStopOrders.delete(stop.stopOrderid);
      this.calls.add(s.onStopOrder(triggered));
      this.calls.add(s.onOrder(order));
      if (volume > 0) this.fill(order, index + 1, isLong ? Math.max(stop.price, longBest) : Math.min(stop.price, shortBest), volume);
    }
  }

  /** A stop order kept here until a datum reaches its price; returns its id. */
  sendStopOrder(direction: Direction, offset: Offset, price: number, volume: number): string {
    this.stopOrderCount++;
    const stop: StopOrder = {
      vtSymbol: this.p.vtSymbol,
      direction,
      offset,
      price,
      volume,
      stopOrderid: `${STOPORDER_PREFIX}.${this.stopOrderCount}`,
      strategyName: this.strategy.strategyName,
      datetime: this.datetime,
      lock: false,
      net: false,
      vtOrderids: [],
      status: StopOrderStatus.WAITING,
    };
    this.stopOrders.push(stop);
    this.activeStopOrders.set(stop.stopOrderid, { stop, sentAt: this.barIndex, index: this.stopOrders.length - 1 });
    return stop.stopOrderid;
  }

  /** A limit order, active from the next datum on; returns its vtOrderid. */
  sendLimitOrder(direction: Direction, offset: Offset, price: number, volume: number): string {
    const p = this.p;
    this.limitOrderCount++;
    // Symbol and exchange were validated by setParameters and the id is a number, so the
    // object is built directly (createOrder's checks cost more than the rest of a send).
    const orderid = String(this.limitOrderCount);
    const order: OrderData = {
      gatewayName: GATEWAY,
      symbol: p.symbol,
      exchange: p.exchange,
      vtSymbol: p.vtSymbol,
      orderid,
      vtOrderid: `${GATEWAY}.${orderid}`,
      type: OrderType.LIMIT,
      direction,
      offset,
      price,
      volume,
      traded: 0,
      status: Status.SUBMITTING,
      datetime: this.datetime,
      reference: "",
      statusMsg: "",
    };
    const index = this.orderLog.push(order);
    this.activeLimitOrders.set(order.vtOrderid, { order, sentAt: this.barIndex, index });
    return order.vtOrderid;
  }

  cancelOrder(vtOrderid: string): void {
    if (vtOrderid.startsWith(STOPORDER_PREFIX)) this.cancelStopOrder(vtOrderid);
    else this.cancelLimitOrder(vtOrderid);
  }

  private cancelLimitOrder(vtOrderid: string): void {
    const entry = this.activeLimitOrders.get(vtOrderid);
    if (!entry) return;
    this.activeLimitOrders.delete(vtOrderid);
    const order = this.updateOrder(entry, orderWith(entry.order, entry.order.traded, Status.CANCELLED));
    this.calls.add(this.strategy.onOrder(order));
  }

  private cancelStopOrder(id: string): void {
    const entry = this.activeStopOrders.get(id);
    if (!entry) return;
    this.activeStopOrders.delete(id);
    const stop: StopOrder = { ...entry.stop, status: StopOrderStatus.CANCELLED };
    this.stopOrders[entry.index] = stop;
    this.calls.add(this.strategy.onStopOrder(stop));
  }

  cancelAll(): void {
    // Called by most strategies on every bar, usually with nothing open: kept small to inline.
    if (this.activeLimitOrders.size > 0 || this.activeStopOrders.size > 0) this.cancelEverything();
  }

  private cancelEverything(): void {
    for (const id of this.activeLimitOrders.keys()) this.cancelLimitOrder(id);
    for (const id of this.activeStopOrders.keys()) this.cancelStopOrder(id);
  }

  /** Trades in fill order. */
  getAllTrades(inst: Instrument): TradeData[] {
    const out = new Array<TradeData>(this.tradeLog.length);
    for (let i = 0; i < out.length; i++) out[i] = this.tradeLog.get(i, inst);
    return out;
  }

  /** Orders (limit orders and those made by triggered stops) in send order, latest state. */
  getAllOrders(inst: Instrument): OrderData[] {
    const out = new Array<OrderData>(this.orderLog.length);
    for (let i = 0; i < out.length; i++) out[i] = this.orderLog.get(i, inst);
    return out;
  }

  getAllStopOrders(): StopOrder[] {
    return [...this.stopOrders];
  }
}
