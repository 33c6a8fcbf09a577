import { Direction, OrderType } from "../../trader/constants.js";
import type { OrderRequest } from "../../trader/objects.js";

/** The position of one symbol on one gateway and the account's working orders on it. */
export class SymbolBook {
  longPos = 0;
  shortPos = 0;
  /** Signed volume of a net position. */
  netPos = 0;
  /** Unfilled volume of working buy / sell orders. */
  workingLong = 0;
  workingShort = 0;
  /** How many working buy / sell orders: the self-trade check looks for the other side only when there is one. */
  buys = 0;
  sells = 0;
}

/** A working order. Records are reused once their order ends (a pool): no garbage per order. */
export class Working {
  vtOrderid = "";
  direction: Direction = Direction.LONG;
  type: OrderType = OrderType.LIMIT;
  price = 0;
  remaining = 0;
  book: SymbolBook | undefined = undefined;
}

/**
 * The send times of one gateway's orders still inside the flow window, oldest first: a ring that
 * grows by doubling, so it holds at most the orders of one window (never more than the limit).
 */
export class FlowWindow {
  private times = new Float64Array(16);
  private head = 0;
  size = 0;

  /** Forgets the times at or before `cutoff`; returns how many are left. */
  countAfter(cutoff: number): number {
    const times = this.times;
    const mask = times.length - 1;
    while (this.size > 0 && times[this.head] <= cutoff) {
      this.head = (this.head + 1) & mask;
      this.size--;
    }
    return this.size;
  }

  push(t: number): void {
    if (this.size === this.times.length) {
      const bigger = new Float64Array(this.times.length * 2);
      for (let i = 0; i < this.size; i++) bigger[i] = this.times[(this.head + i) & (this.times.length - 1)];
      this.times = bigger;
      this.head = 0;
    }
    this.times[(this.head + this.size) & (this.times.length - 1)] = t;
    this.size++;
  }
}

/** Order types whose price is a limit the band and notional rules read (MARKET has none). */
export function isPriced(type: OrderType): boolean {
  return type === OrderType.LIMIT || type === OrderType.FAK || type === OrderType.FOK || type === OrderType.STOP;
}

/** The account's resting order on the other side of `book` that `req` would trade against, if any. */
export function crossedOwnOrder(working: Iterable<Working>, book: SymbolBook, req: OrderRequest): Working | undefined {
  const buy = req.direction === Direction.LONG;
  const market = req.type === OrderType.MARKET;
  for (const w of working) {
    // Stops are not in the book until they trigger; only orders that rest can be traded against.
    if (w.book !== book || w.direction === req.direction || w.type === OrderType.STOP || w.remaining <= 0) continue;
    if (market || (buy ? req.price >= w.price : req.price <= w.price)) return w;
  }
  return undefined;
}
