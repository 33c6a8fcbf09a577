import { isTickwireError } from "../../event/errors.js";
import { isPromiseLike } from "../../strategy/CtaTemplate.js";
import { Direction, LogLevel, Offset, OrderType } from "../../trader/constants.js";
import { createCancelRequest, createOrderRequest, isActive, type ContractData, type OrderData, type TradeData } from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";
import { REFERENCE_PREFIX } from "./ctaEvents.js";
import type { Hosted } from "./hosted.js";
import { MAX_FINISHED_ORDERS, MAX_SAVED_TRADES, type CtaState } from "./state.js";

/** What the router needs of the engine. */
export interface RouterHost {
  strategy(strategyName: string): Hosted | undefined;
  /** Writes the state file (the router's maps go in through `dump`). */
  saveState(): void;
  log(msg: string, source: string, level?: LogLevel): void;
}

/**
 * Sends the strategies' orders to their gateway and finds the strategy each order and trade
 * belongs to: the order→strategy map (kept across restarts), the ended orders kept for late fills,
 * and the trade ids already counted, so a replayed fill does not move `pos` twice.
 */
export class CtaOrderRouter {
  private owners = new Map<string, string>();
  private seenTrades = new Set<string>();
  /** Mapped orders that ended, oldest first (a Set keeps insertion order): the ones dropped first. */
  private finished = new Set<string>();
  keepFinishedOrders = MAX_FINISHED_ORDERS;
  keepTradeIds = MAX_SAVED_TRADES;

  constructor(
    private readonly mainEngine: MainEngine,
    private readonly host: RouterHost,
  ) {}

  /** Takes the maps of a freshly read state file. */
  load(state: CtaState): void {
    this.owners = new Map(Object.entries(state.orders));
    this.seenTrades = new Set(state.trades.slice(-this.keepTradeIds));
    // Orders not listed as ended were live when saved: they stay mapped until they end here.
    this.finished = new Set(state.finished.filter((id) => this.owners.has(id)));
    this.trimFinished();
  }

  /** Puts the maps into the state about to be written. */
  dump(state: CtaState): void {
    state.orders = Object.fromEntries(this.owners);
    state.trades = [...this.seenTrades];
    state.finished = [...this.finished];
  }

  ownerName(vtOrderid: string): string | undefined {
    return this.owners.get(vtOrderid);
  }

  /** Sends one order of `h` (a limit, or a venue stop); answers its id, or none when it is not sent (yet). */
  send(h: Hosted, contract: ContractData, direction: Direction, offset: Offset, price: number, volume: number, type: OrderType): string[] {
    const name = h.strategy.strategyName;
    const req = createOrderRequest({
      symbol: contract.symbol,
      exchange: contract.exchange,
      direction,
      offset,
      type,
      price,
      volume,
      reference: REFERENCE_PREFIX + name,
    });
    let id: string | Promise<string>;
    try {
      id = this.mainEngine.sendOrder(req, contract.gatewayName);
    } catch (err) {
      this.orderFailed(name, err);
      return [];
    }
    if (isPromiseLike(id)) {
      // A remote gateway answers later: the id is mapped then (and by reference meanwhile).
      Promise.resolve(id).then(
        (vtOrderid) => this.mapOrder(h, vtOrderid),
        (err: unknown) => this.orderFailed(name, err),
      );
      return [];
    }
    this.mapOrder(h, id);
    return [id];
  }

  /** Asks the gateway to cancel a venue order that is still active; a failure is a warning. */
  cancel(vtOrderid: string, strategyName: string): void {
    const order = this.mainEngine.getOrder(vtOrderid);
    if (!order || !isActive(order)) return;
    const failed = (err: unknown): void => this.host.log(`cancel of ${vtOrderid} failed: ${String(err)}`, strategyName, LogLevel.WARNING);
    try {
      const r = this.mainEngine.cancelOrder(createCancelRequest({ orderid: order.orderid, symbol: order.symbol, exchange: order.exchange }), order.gatewayName);
      if (isPromiseLike(r)) Promise.resolve(r).catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  /** The strategy an order update belongs to, with its active orders (and the ended ones) brought up to date. */
  onOrder(order: OrderData): Hosted | undefined {
    const h = this.ownerOf(order.vtOrderid, order.reference);
    if (!h) return undefined;
    if (isActive(order)) h.activeOrders.add(order.vtOrderid);
    else {
      h.activeOrders.delete(order.vtOrderid);
      this.orderFinished(order.vtOrderid);
    }
    return h;
  }

  /** The strategy a trade belongs to, or undefined for a trade of no strategy or one counted already. */
  onTrade(trade: TradeData): Hosted | undefined {
    // A gateway replaying its fills (a reconnect, an RPC snapshot) must not move pos twice.
    if (this.seenTrades.has(trade.vtTradeid)) return undefined;
    const order = this.mainEngine.getOrder(trade.vtOrderid);
    const h = this.ownerOf(trade.vtOrderid, order?.reference);
    if (!h) return undefined;
    this.seenTrades.add(trade.vtTradeid);
    if (this.seenTrades.size > this.keepTradeIds) this.seenTrades.delete(this.seenTrades.values().next().value as string);
    return h;
  }

  private orderFailed(name: string, err: unknown): void {
    // A risk refusal is an expected outcome (the strategy gets its REJECTED order): a warning, not an error.
    const refused = isTickwireError(err) && err.code.startsWith("TW_RISK_");
    const why = isTickwireError(err) ? `${err.code}: ${err.message}` : String(err);
    this.host.log(`order of ${name} ${refused ? "refused" : "failed"}: ${why}`, name, refused ? LogLevel.WARNING : LogLevel.ERROR);
  }

  private mapOrder(h: Hosted, vtOrderid: string): void {
    // Empty: not sent. Finished: a remote gateway's events, mapped by reference, beat its id here.
    if (vtOrderid === "" || this.finished.has(vtOrderid)) return;
    this.owners.set(vtOrderid, h.strategy.strategyName);
    h.activeOrders.add(vtOrderid);
    // Saved before any fill can arrive: the event engine dispatches the order's events later.
    this.host.saveState();
  }

  /** An ended order moves to the newest end of the finished list; beyond the limit the oldest is unmapped. */
  private orderFinished(vtOrderid: string): void {
    if (!this.owners.has(vtOrderid)) return;
    this.finished.delete(vtOrderid);
    this.finished.add(vtOrderid);
    this.trimFinished();
  }

  private trimFinished(): void {
    while (this.finished.size > this.keepFinishedOrders) {
      const oldest = this.finished.values().next().value as string;
      this.finished.delete(oldest);
      this.owners.delete(oldest);
    }
  }

  private ownerOf(vtOrderid: string, reference: string | undefined): Hosted | undefined {
    const name = this.owners.get(vtOrderid);
    if (name !== undefined) return this.host.strategy(name);
    // An order whose id came back too late to be mapped (a remote gateway) still names its sender.
    if (reference !== undefined && reference.startsWith(REFERENCE_PREFIX)) {
      const h = this.host.strategy(reference.slice(REFERENCE_PREFIX.length));
      if (h) {
        this.owners.set(vtOrderid, h.strategy.strategyName);
        this.host.saveState();
      }
      return h;
    }
    return undefined;
  }
}
