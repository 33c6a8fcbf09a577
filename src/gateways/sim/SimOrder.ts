import { Direction, Offset, Status } from "../../trader/constants.js";
import type { Exchange, OrderType } from "../../trader/constants.js";
import type { InstrumentMarket } from "./InstrumentMarket.js";
import type { SimPosition } from "./SimAccount.js";

/** What a client asks the paper exchange for (the fields of an OrderRequest it uses). */
export interface SimOrderInput {
  symbol: string;
  exchange: Exchange;
  direction: Direction;
  type: OrderType;
  volume: number;
  price?: number;
  offset?: Offset;
  reference?: string;
}

/**
 * The exchange's own record of an order: the public fields of an order plus what the exchange
 * keeps to match and settle it. Mutable; the gateway publishes copies (OrderData) of it.
 */
export class SimOrder {
  readonly orderid: string;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly vtSymbol: string;
  readonly direction: Direction;
  readonly offset: Offset;
  readonly type: OrderType;
  /** The limit (or stop) price; put exactly on the price grid once the order is accepted. */
  price: number;
  /** Put exactly on the volume grid once the order is accepted. */
  volume: number;
  readonly reference: string;
  /** Sim time of submission, epoch ms. */
  readonly time: number;
  traded = 0;
  status: Status = Status.SUBMITTING;
  /** Why the exchange rejected it (or cancelled it on its own, as FAK/FOK/MARKET remainders). */
  reason = "";
  /** +1 buys, −1 sells. */
  readonly side: 1 | -1;
  /** The market it trades in; undefined only for orders rejected for an unknown symbol. */
  market: InstrumentMarket | undefined;
  /** The position it opens or closes (set once accepted). */
  position: SimPosition | undefined;
  /** True when it closes `position` (its remaining volume is frozen there). */
  closes = false;
  /** Money held back per unit of remaining volume for an opening order (margin + commission). */
  reservedPerUnit = 0;
  /** Money held back now for the remaining volume. */
  reserved = 0;
  /** The id the owner (SimGateway) publishes it under; "" until set. */
  vtOrderid = "";

  constructor(orderid: string, input: SimOrderInput, vtSymbol: string, time: number) {
    // A malformed request still becomes a (REJECTED) order: keep only values of the right kind,
    // so no NaN, string or object reaches the published OrderData or the account.
    this.orderid = orderid;
    this.symbol = stringOr(input.symbol, "");
    this.exchange = stringOr(input.exchange, "") as Exchange;
    this.vtSymbol = vtSymbol;
    this.direction = stringOr(input.direction, "") as Direction;
    this.offset = stringOr(input.offset, Offset.NONE) as Offset;
    this.type = stringOr(input.type, "") as OrderType;
    this.price = finiteOr(input.price, 0);
    this.volume = finiteOr(input.volume, 0);
    this.reference = stringOr(input.reference, "");
    this.time = time;
    this.side = input.direction === Direction.SHORT ? -1 : 1;
  }

  get isActive(): boolean {
    const s = this.status;
    return s === Status.SUBMITTING || s === Status.NOTTRADED || s === Status.PARTTRADED;
  }

  /** Volume still to trade, on the volume grid. */
  get remaining(): number {
    const m = this.market;
    const r = this.volume - this.traded;
    return m ? m.rules.roundVolume(r) : r;
  }
}

function stringOr(v: unknown, fallback: string): string {
  return typeof v === "string" ? v : fallback;
}

function finiteOr(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/** One fill of an order. */
export interface SimTrade {
  tradeid: string;
  order: SimOrder;
  price: number;
  volume: number;
  /** Sim time of the fill, epoch ms. */
  time: number;
  commission: number;
}
