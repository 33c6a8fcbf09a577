import { OrderType, Status } from "../../trader/constants.js";
import { BOOK_LEVELS, type InstrumentMarket } from "./InstrumentMarket.js";
import type { SimOrder } from "./SimOrder.js";

/** Where the matching engine reports what happened to orders. */
export interface MatchingSink {
  /** An order traded `volume` at `price` (its `traded` already includes it). */
  fill(order: SimOrder, price: number, volume: number): void;
  /** An order's status changed (called once per matching pass, after its fills). */
  update(order: SimOrder): void;
}

/** The matching state of one instrument: its resting orders and the liquidity left in the current tick's book. */
class InstrumentBook {
  readonly market: InstrumentMarket;
  readonly resting: SimOrder[] = [];
  readonly stops: SimOrder[] = [];
  readonly askLeft = new Float64Array(BOOK_LEVELS);
  readonly bidLeft = new Float64Array(BOOK_LEVELS);
  /** The market tick `askLeft`/`bidLeft` were copied from. */
  seq = -1;

  constructor(market: InstrumentMarket) {
    this.market = market;
  }

  /** Liquidity is per tick: orders in the same tick share it, a new tick brings a new book. */
  refresh(): void {
    const m = this.market;
    if (this.seq === m.seq) return;
    this.seq = m.seq;
    this.askLeft.set(m.askVolume);
    this.bidLeft.set(m.bidVolume);
  }
}

/**
 * Matches orders against the simulated book. The market is the only counterparty: the book's
 * volumes are liquidity that our orders consume within a tick (so a thin book fills partially),
 * and our orders do not move the price.
 * - LIMIT crosses at the touch, walking levels up to its price; the rest rests and fills at its
 *   price when a later book reaches it (the market traded through it).
 * - MARKET walks the levels; what 5 levels cannot fill is cancelled.
 * - STOP waits until the last price reaches its price (buy: ≥, sell: ≤), then acts as MARKET.
 * - FAK fills what crosses now and cancels the rest; FOK fills all now or cancels all.
 * Orders arrive validated and funded (SimExchange's job).
 */
export class MatchingEngine {
  private readonly sink: MatchingSink;
  private readonly books = new Map<InstrumentMarket, InstrumentBook>();

  constructor(sink: MatchingSink) {
    this.sink = sink;
  }

  private book(market: InstrumentMarket): InstrumentBook {
    let b = this.books.get(market);
    if (!b) {
      b = new InstrumentBook(market);
      this.books.set(market, b);
    }
    return b;
  }

  /** Volume the current book offers to an order of `side` at prices no worse than `limit`. */
  available(market: InstrumentMarket, side: 1 | -1, limit: number): number {
    const b = this.book(market);
    b.refresh();
    const prices = side > 0 ? market.askPrice : market.bidPrice;
    const left = side > 0 ? b.askLeft : b.bidLeft;
    let total = 0;
    for (let i = 0; i < BOOK_LEVELS; i++) {
      const p = prices[i];
      if (p === 0 || (side > 0 ? p > limit : p < limit)) break;
      total += left[i];
    }
    return market.rules.roundVolume(total);
  }

  /** Takes an accepted order: NOTTRADED, then whatever its type does at once. */
  accept(order: SimOrder): void {
    const market = order.market!;
    order.status = Status.NOTTRADED;
    this.sink.update(order);
    switch (order.type) {
      case OrderType.LIMIT:
        this.take(order, order.price);
        if (order.remaining > 0) this.book(market).resting.push(order);
        break;
      case OrderType.FAK:
        this.take(order, order.price);
        this.killRest(order, "FAK: the rest was cancelled, the book had no more at the price");
        break;
      case OrderType.FOK:
        if (this.available(market, order.side, order.price) >= order.volume) this.take(order, order.price);
        else this.killRest(order, "FOK: the book could not fill the whole volume at the price");
        break;
      case OrderType.MARKET:
        this.take(order, order.side > 0 ? Infinity : -Infinity);
        this.killRest(order, "MARKET: the rest was cancelled, 5 levels of the book were not enough");
        break;
      case OrderType.STOP:
        if (this.stopTriggered(order, market.lastPrice)) this.triggerStop(order);
        else this.book(market).stops.push(order);
        break;
    }
  }

  /** Cancels an active order; false when it is no longer active. */
  cancel(order: SimOrder): boolean {
    if (!order.isActive) return false;
    const b = order.market ? this.books.get(order.market) : undefined;
    if (b) {
      removeFrom(b.resting, order);
      removeFrom(b.stops, order);
    }
    order.status = Status.CANCELLED;
    this.sink.update(order);
    return true;
  }

  /** After a market's tick: trigger stops, then fill resting orders the new book reaches. */
  onTick(market: InstrumentMarket): void {
    const b = this.books.get(market);
    if (!b || (b.resting.length === 0 && b.stops.length === 0)) return;
    if (b.stops.length > 0) {
      const last = market.lastPrice;
      for (let i = 0; i < b.stops.length;) {
        const o = b.stops[i];
        if (this.stopTriggered(o, last)) {
          b.stops.splice(i, 1);
          this.triggerStop(o);
        } else i++;
      }
    }
    for (let i = 0; i < b.resting.length;) {
      const o = b.resting[i];
      this.rest(b, o);
      if (o.isActive) i++;
      else b.resting.splice(i, 1);
    }
  }

  private stopTriggered(order: SimOrder, last: number): boolean {
    return order.side > 0 ? last >= order.price : last <= order.price;
  }

  private triggerStop(order: SimOrder): void {
    this.take(order, order.side > 0 ? Infinity : -Infinity);
    this.killRest(order, "STOP: triggered; the rest was cancelled, 5 levels of the book were not enough");
  }

  /** Aggressive pass: walks the book from the touch up to `limit`, one fill per level at its price. */
  private take(order: SimOrder, limit: number): void {
    this.consume(this.book(order.market!), order, limit, true);
  }

  /** Passive pass for a resting LIMIT: the book came to its price, so it fills there, as much as the book offers. */
  private rest(b: InstrumentBook, order: SimOrder): void {
    this.consume(b, order, order.price, false);
  }

  /**
   * Takes the current book's liquidity for `order`, level by level from the touch up to `limit`.
   * `atLevels`: each level's volume fills at that level's price (an order crossing the book);
   * otherwise all of it fills once, at `limit` (a resting order the market traded through).
   */
  private consume(b: InstrumentBook, order: SimOrder, limit: number, atLevels: boolean): void {
    const market = b.market;
    b.refresh();
    const rules = market.rules;
    const buy = order.side > 0;
    const prices = buy ? market.askPrice : market.bidPrice;
    const left = buy ? b.askLeft : b.bidLeft;
    let remaining = order.remaining;
    let total = 0;
    for (let i = 0; i < BOOK_LEVELS && remaining > 0; i++) {
      const p = prices[i];
      if (p === 0 || (buy ? p > limit : p < limit)) break;
      const avail = left[i];
      if (avail <= 0) continue;
      const v = avail < remaining ? avail : remaining;
      left[i] = rules.roundVolume(avail - v);
      remaining = rules.roundVolume(remaining - v);
      total += v;
      if (atLevels) {
        order.traded = rules.roundVolume(order.traded + v);
        this.sink.fill(order, p, v);
      }
    }
    if (total === 0) return;
    if (!atLevels) {
      total = rules.roundVolume(total);
      order.traded = rules.roundVolume(order.traded + total);
      this.sink.fill(order, limit, total);
    }
    this.settleStatus(order);
  }

  private settleStatus(order: SimOrder): void {
    order.status = order.traded >= order.volume ? Status.ALLTRADED : Status.PARTTRADED;
    this.sink.update(order);
  }

  private killRest(order: SimOrder, reason: string): void {
    if (!order.isActive) return;
    order.status = Status.CANCELLED;
    order.reason = reason;
    this.sink.update(order);
  }
}

function removeFrom(list: SimOrder[], order: SimOrder): void {
  const i = list.indexOf(order);
  if (i !== -1) list.splice(i, 1);
}
