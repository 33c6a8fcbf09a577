import { TickwireError } from "../../event/errors.js";
import { Direction } from "../../trader/constants.js";
import type { InstrumentMarket } from "./InstrumentMarket.js";
import type { SimOrder } from "./SimOrder.js";

/** A position at the paper exchange. P&L is marked to the market's last price by `mark()`. */
export class SimPosition {
  readonly market: InstrumentMarket;
  readonly direction: Direction;
  /** Volume held. */
  volume = 0;
  /** Volume held back by active closing orders. */
  frozen = 0;
  /** Average open price. */
  price = 0;
  /** Unrealized P&L at the last mark. */
  pnl = 0;
  /** P&L realized by closing trades, less nothing (commission is the account's). */
  realizedPnl = 0;

  constructor(market: InstrumentMarket, direction: Direction) {
    this.market = market;
    this.direction = direction;
  }

  get vtSymbol(): string {
    return this.market.vtSymbol;
  }

  /** +1 for long or net, −1 for short. */
  get sign(): 1 | -1 {
    return this.direction === Direction.SHORT ? -1 : 1;
  }

  get available(): number {
    return this.market.rules.roundVolume(this.volume - this.frozen);
  }

  /** Margin held for the position (for cash products: its cost). */
  get margin(): number {
    const i = this.market.instrument;
    return this.price * this.volume * i.size * i.marginRate;
  }

  /** Recomputes `pnl` at the market's last price and returns it. */
  mark(): number {
    const last = this.market.lastPrice;
    this.pnl = this.volume === 0 || last === 0 ? 0 : (last - this.price) * this.volume * this.market.instrument.size * this.sign;
    return this.pnl;
  }
}

/**
 * The money side of the paper exchange: one account in one currency.
 *   balance   = cash + Σ unrealized P&L           (cash = capital + realized P&L − commission)
 *   frozen    = Σ position margin + Σ money held for active opening orders
 *   available = balance − frozen
 * Futures hold `marginRate` of the notional; cash products have marginRate 1, so a bought stock
 * holds its full cost, the same arithmetic as paying cash for it.
 */
export class SimAccount {
  readonly accountid: string;
  readonly capital: number;
  /** capital + realized P&L − commission. */
  cash: number;
  commission = 0;
  realizedPnl = 0;
  /** Money held for active opening orders. */
  orderFrozen = 0;
  private readonly positions = new Map<string, SimPosition>();
  private activeReservations = 0;

  constructor(accountid: string, capital: number) {
    this.accountid = accountid;
    this.capital = capital;
    this.cash = capital;
  }

  /** The position of `market` in `direction`, created flat on first use. */
  position(market: InstrumentMarket, direction: Direction): SimPosition {
    const key = market.vtSymbol + "." + direction;
    let p = this.positions.get(key);
    if (!p) {
      p = new SimPosition(market, direction);
      this.positions.set(key, p);
    }
    return p;
  }

  findPosition(vtSymbol: string, direction: Direction): SimPosition | undefined {
    return this.positions.get(vtSymbol + "." + direction);
  }

  allPositions(): SimPosition[] {
    return [...this.positions.values()];
  }

  positionMargin(): number {
    let m = 0;
    for (const p of this.positions.values()) m += p.margin;
    return m;
  }

  unrealizedPnl(): number {
    let u = 0;
    for (const p of this.positions.values()) u += p.mark();
    return u;
  }

  get balance(): number {
    return this.cash + this.unrealizedPnl();
  }

  get frozen(): number {
    return this.positionMargin() + this.orderFrozen;
  }

  get available(): number {
    return this.balance - this.frozen;
  }

  /**
   * Holds money for an opening order at `refPrice`; returns a rejection reason instead when the
   * account cannot afford it.
   */
  reserveOpen(order: SimOrder, position: SimPosition, refPrice: number): string | undefined {
    const i = position.market.instrument;
    const perUnit = refPrice * i.size * (i.marginRate + i.commissionRate);
    const needed = perUnit * order.volume;
    const available = this.available;
    // Written so that NaN fails it: `NaN > x` is false, and one NaN held here would make every
    // later check pass (available NaN).
    if (!Number.isFinite(needed) || needed < 0) {
      return `the order's margin and commission cannot be computed (${needed}): check its price and volume`;
    }
    if (!(needed <= available + 1e-9)) {
      return `insufficient funds: the order needs ${needed.toFixed(2)} (margin and commission) but ${available.toFixed(2)} is available`;
    }
    order.position = position;
    order.reservedPerUnit = perUnit;
    order.reserved = needed;
    this.orderFrozen += needed;
    this.activeReservations++;
    return undefined;
  }

  /** Freezes position volume for a closing order; returns a rejection reason when there is not enough. */
  freezeClose(order: SimOrder, position: SimPosition): string | undefined {
    const available = position.available;
    if (!(order.volume > 0 && order.volume <= available + 1e-12)) {
      const side = position.direction === Direction.NET ? "holding" : `${position.direction.toLowerCase()} position`;
      return `insufficient position: closing ${order.volume} needs that much ${side} of ${position.vtSymbol} but ${available} is available`;
    }
    order.position = position;
    order.closes = true;
    position.frozen = position.market.rules.roundVolume(position.frozen + order.volume);
    return undefined;
  }

  /** Settles a fill: position volume and average price, realized P&L, commission. Returns the commission. */
  applyFill(order: SimOrder, price: number, volume: number): number {
    const position = order.position;
    if (!position) return 0;
    if (!(Number.isFinite(price) && price > 0 && Number.isFinite(volume) && volume > 0)) {
      // Orders are checked before they trade, so this is a bug: refuse to write NaN into the account.
      throw new TickwireError(
        "TW_SIM_BAD_FILL",
        `A fill of ${volume} at ${price} for order ${order.orderid} cannot be settled: this is a bug in the paper exchange, please report it.`,
      );
    }
    const i = position.market.instrument;
    const rules = position.market.rules;
    const commission = price * volume * i.size * i.commissionRate;
    this.commission += commission;
    this.cash -= commission;
    if (order.closes) {
      const realized = (price - position.price) * volume * i.size * position.sign;
      position.realizedPnl += realized;
      this.realizedPnl += realized;
      this.cash += realized;
      position.volume = rules.roundVolume(position.volume - volume);
      position.frozen = rules.roundVolume(position.frozen - volume);
      if (position.volume === 0) position.price = 0;
    } else {
      const total = rules.roundVolume(position.volume + volume);
      position.price = (position.price * position.volume + price * volume) / total;
      position.volume = total;
      const release = Math.min(order.reserved, order.reservedPerUnit * volume);
      order.reserved -= release;
      this.orderFrozen -= release;
    }
    position.mark();
    return commission;
  }

  /** Releases what an order that stopped being active still holds (money or frozen volume). */
  releaseOrder(order: SimOrder): void {
    const position = order.position;
    if (!position) return;
    if (order.closes) {
      const rest = order.remaining;
      if (rest > 0) position.frozen = position.market.rules.roundVolume(Math.max(0, position.frozen - rest));
    } else if (order.reservedPerUnit > 0) {
      this.orderFrozen -= order.reserved;
      order.reserved = 0;
      order.reservedPerUnit = 0;
      // No order holds money any more: drop the rounding dust of many additions and subtractions.
      if (--this.activeReservations === 0) this.orderFrozen = 0;
    }
  }
}
