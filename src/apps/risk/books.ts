import { Direction, OrderType, Status } from "../../trader/constants.js";
import type { OrderData, OrderRequest, PositionData } from "../../trader/objects.js";

/** Most working-order records kept for reuse. */
const POOL_MAX = 4096;

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

/** The flow window of each gateway, the one asked for last remembered (orders come in runs on one gateway). */
export class FlowWindows {
  private readonly windows = new Map<string, FlowWindow>();
  private lastGateway = "";
  private last: FlowWindow | undefined = undefined;

  get(gatewayName: string): FlowWindow | undefined {
    return gatewayName === this.lastGateway ? this.last : this.windows.get(gatewayName);
  }

  record(gatewayName: string, now: number): void {
    let w = this.get(gatewayName);
    if (w === undefined) {
      w = new FlowWindow();
      this.windows.set(gatewayName, w);
    }
    this.lastGateway = gatewayName;
    this.last = w;
    w.push(now);
  }

  clear(): void {
    this.windows.clear();
    this.lastGateway = "";
    this.last = undefined;
  }
}

/**
 * The account's working orders and positions per gateway and symbol, from the order and position
 * events and sendOrder's answers; and the orders that passed the checks and wait for that answer.
 */
export class OrderBooks {
  private readonly books = new Map<string, Map<string, SymbolBook>>();
  readonly working = new Map<string, Working>();
  private readonly pool: Working[] = [];
  /** The working order looked up last (records are pooled: cleared when its order ends). */
  private lastWorkingId = "";
  private lastWorking: Working | undefined = undefined;
  /** Order events handled, and their count when the first of the orders now pending was checked. */
  private orderEvents = 0;
  private orderEventsAtCheck = 0;
  private lastGateway = "";
  private lastSymbol = "";
  private lastBook = new SymbolBook();
  /** Orders that passed and are with the gateway, not yet answered (remote gateways answer later). */
  pending = 0;
  /** Orders seen finished before their gateway answered (a remote gateway's events can overtake its answer). */
  private readonly finishedEarly = new Set<string>();

  /** Working orders and orders waiting for their gateway's answer. */
  get active(): number {
    return this.working.size + this.pending;
  }

  /** An order passed the checks and goes to its gateway. */
  passed(): void {
    if (this.pending++ === 0) this.orderEventsAtCheck = this.orderEvents;
  }

  /** The gateway answered an order that passed: it works from now on, unless its events already ended it. */
  afterSend(req: OrderRequest, gatewayName: string, vtOrderid: string | null): void {
    if (this.pending > 0) this.pending--;
    if (this.finishedEarly.size > 0) {
      const early = vtOrderid !== null && this.finishedEarly.delete(vtOrderid);
      if (this.pending === 0) this.finishedEarly.clear();
      if (early) return;
    }
    if (vtOrderid === null) return;
    // Its events can have come first only if order events were dispatched since the check.
    if ((this.pending > 0 || this.orderEvents !== this.orderEventsAtCheck) && this.working.has(vtOrderid)) return;
    this.addWorking(vtOrderid, gatewayName, req.vtSymbol, req.direction, req.type, req.price, req.volume);
  }

  bookOf(gatewayName: string, vtSymbol: string): SymbolBook {
    // Orders and their events come in runs on one instrument: remember the last book asked for.
    if (vtSymbol === this.lastSymbol && gatewayName === this.lastGateway) return this.lastBook;
    let byGateway = this.books.get(gatewayName);
    if (byGateway === undefined) {
      byGateway = new Map();
      this.books.set(gatewayName, byGateway);
    }
    let book = byGateway.get(vtSymbol);
    if (book === undefined) {
      book = new SymbolBook();
      byGateway.set(vtSymbol, book);
    }
    this.lastGateway = gatewayName;
    this.lastSymbol = vtSymbol;
    this.lastBook = book;
    return book;
  }

  private addWorking(vtOrderid: string, gatewayName: string, vtSymbol: string, direction: Direction, type: OrderType, price: number, remaining: number): void {
    const book = this.bookOf(gatewayName, vtSymbol);
    const w = this.pool.pop() ?? new Working();
    w.vtOrderid = vtOrderid;
    w.direction = direction;
    w.type = type;
    w.price = price;
    w.remaining = remaining;
    w.book = book;
    this.working.set(vtOrderid, w);
    this.lastWorkingId = vtOrderid;
    this.lastWorking = w;
    if (direction === Direction.LONG) {
      book.buys++;
      book.workingLong += remaining;
    } else {
      book.sells++;
      book.workingShort += remaining;
    }
  }

  /** Follows an order update: its remaining volume, and its end. */
  onOrder(o: OrderData): void {
    this.orderEvents++;
    // An order's updates come in a row (SUBMITTING, NOTTRADED, ALLTRADED): one lookup for the run.
    const w = o.vtOrderid === this.lastWorkingId ? this.lastWorking : this.working.get(o.vtOrderid);
    const status = o.status;
    const active = status === Status.NOTTRADED || status === Status.PARTTRADED || status === Status.SUBMITTING;
    if (w === undefined) {
      if (active) this.addWorking(o.vtOrderid, o.gatewayName, o.vtSymbol, o.direction, o.type, o.price, o.volume - o.traded);
      // Only while an answer is outstanding can an order finish before afterSend hears of it.
      else if (this.pending > 0) this.finishedEarly.add(o.vtOrderid);
      return;
    }
    const book = w.book!;
    const remaining = active ? o.volume - o.traded : 0;
    const delta = remaining - w.remaining;
    if (delta !== 0) {
      w.remaining = remaining;
      if (w.direction === Direction.LONG) book.workingLong += delta;
      else book.workingShort += delta;
    }
    if (!active) {
      if (this.pending > 0) this.finishedEarly.add(o.vtOrderid);
      this.working.delete(o.vtOrderid);
      if (w === this.lastWorking) {
        this.lastWorkingId = "";
        this.lastWorking = undefined;
      }
      if (w.direction === Direction.LONG) book.buys--;
      else book.sells--;
      w.book = undefined;
      if (this.pool.length < POOL_MAX) this.pool.push(w);
    }
  }

  onPosition(p: PositionData): void {
    const book = this.bookOf(p.gatewayName, p.vtSymbol);
    if (p.direction === Direction.LONG) book.longPos = p.volume;
    else if (p.direction === Direction.SHORT) book.shortPos = p.volume;
    else book.netPos = p.volume;
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
