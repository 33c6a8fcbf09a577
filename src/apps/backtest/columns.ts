import { Direction, Offset, OrderType, Status, type Exchange } from "../../trader/constants.js";
import type { OrderData, TradeData } from "../../trader/objects.js";

/*
 * Orders and trades of a run kept as columns of typed arrays (~40 bytes each instead of ~400 as
 * objects with their id strings): a 10M-bar backtest makes ~700k of each. Objects are built when
 * asked for (getAllOrders/getAllTrades); strategies still get plain objects in their callbacks.
 */

const DIRECTIONS: Direction[] = [Direction.LONG, Direction.SHORT, Direction.NET];
const OFFSETS: Offset[] = [Offset.NONE, Offset.OPEN, Offset.CLOSE, Offset.CLOSETODAY, Offset.CLOSEYESTERDAY];
const STATUSES: Status[] = [Status.SUBMITTING, Status.NOTTRADED, Status.PARTTRADED, Status.ALLTRADED, Status.CANCELLED, Status.REJECTED];
const TYPES: OrderType[] = [OrderType.LIMIT, OrderType.MARKET, OrderType.STOP, OrderType.FAK, OrderType.FOK];

function code<T>(table: T[], v: T): number {
  const i = table.indexOf(v);
  return i < 0 ? 0 : i;
}

/** The instrument every order and trade of the run is on. */
export interface Instrument {
  gatewayName: string;
  symbol: string;
  exchange: Exchange;
  vtSymbol: string;
}

function grow<T extends Float64Array | Uint8Array | Int32Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (len: number) => T)(Math.max(n, a.length * 2, 256));
  b.set(a);
  return b;
}

export class TradeColumns {
  length = 0;
  private orderNo = new Int32Array(0);
  private dir = new Uint8Array(0);
  private off = new Uint8Array(0);
  private px = new Float64Array(0);
  private vol = new Float64Array(0);
  private dt = new Float64Array(0);

  /** Appends trade `t` of order number `orderNo` (its orderid, as a number). */
  push(t: TradeData, orderNo: number): void {
    const i = this.length++;
    if (i >= this.px.length) {
      const n = i + 1;
      this.orderNo = grow(this.orderNo, n);
      this.dir = grow(this.dir, n);
      this.off = grow(this.off, n);
      this.px = grow(this.px, n);
      this.vol = grow(this.vol, n);
      this.dt = grow(this.dt, n);
    }
    this.orderNo[i] = orderNo;
    this.dir[i] = code(DIRECTIONS, t.direction);
    this.off[i] = code(OFFSETS, t.offset);
    this.px[i] = t.price;
    this.vol[i] = t.volume;
    this.dt[i] = t.datetime;
  }

  isLong(i: number): boolean {
    return this.dir[i] === 0;
  }
  price(i: number): number {
    return this.px[i];
  }
  volume(i: number): number {
    return this.vol[i];
  }
  datetime(i: number): number {
    return this.dt[i];
  }

  /** Trade i (tradeid i + 1) as a TradeData. */
  get(i: number, inst: Instrument): TradeData {
    const orderid = String(this.orderNo[i]);
    const tradeid = String(i + 1);
    return {
      gatewayName: inst.gatewayName,
      symbol: inst.symbol,
      exchange: inst.exchange,
      vtSymbol: inst.vtSymbol,
      orderid,
      vtOrderid: `${inst.gatewayName}.${orderid}`,
      tradeid,
      vtTradeid: `${inst.gatewayName}.${tradeid}`,
      direction: DIRECTIONS[this.dir[i]],
      offset: OFFSETS[this.off[i]],
      price: this.px[i],
      volume: this.vol[i],
      datetime: this.dt[i],
    };
  }

  clear(): void {
    this.length = 0;
  }
}

export class OrderColumns {
  length = 0;
  private type = new Uint8Array(0);
  private dir = new Uint8Array(0);
  private off = new Uint8Array(0);
  private status = new Uint8Array(0);
  private px = new Float64Array(0);
  private vol = new Float64Array(0);
  private traded = new Float64Array(0);
  private dt = new Float64Array(0);

  /** Appends an order (its orderid must be its position + 1); returns the position. */
  push(o: OrderData): number {
    const i = this.length++;
    if (i >= this.px.length) {
      const n = i + 1;
      this.type = grow(this.type, n);
      this.dir = grow(this.dir, n);
      this.off = grow(this.off, n);
      this.status = grow(this.status, n);
      this.px = grow(this.px, n);
      this.vol = grow(this.vol, n);
      this.traded = grow(this.traded, n);
      this.dt = grow(this.dt, n);
    }
    this.type[i] = code(TYPES, o.type);
    this.dir[i] = code(DIRECTIONS, o.direction);
    this.off[i] = code(OFFSETS, o.offset);
    this.px[i] = o.price;
    this.vol[i] = o.volume;
    this.dt[i] = o.datetime;
    this.update(i, o);
    return i;
  }

  /** Records the order's latest traded volume and status. */
  update(i: number, o: OrderData): void {
    this.traded[i] = o.traded;
    this.status[i] = code(STATUSES, o.status);
  }

  get(i: number, inst: Instrument): OrderData {
    const orderid = String(i + 1);
    return {
      gatewayName: inst.gatewayName,
      symbol: inst.symbol,
      exchange: inst.exchange,
      vtSymbol: inst.vtSymbol,
      orderid,
      vtOrderid: `${inst.gatewayName}.${orderid}`,
      type: TYPES[this.type[i]],
      direction: DIRECTIONS[this.dir[i]],
      offset: OFFSETS[this.off[i]],
      price: this.px[i],
      volume: this.vol[i],
      traded: this.traded[i],
      status: STATUSES[this.status[i]],
      datetime: this.dt[i],
      reference: "",
      statusMsg: "",
    };
  }

  clear(): void {
    this.length = 0;
  }
}
