import type { Order as CcxtOrder, Trade as CcxtTrade } from "ccxt";
import { ACTIVE_STATUSES, LogLevel, OrderType, Status } from "../../trader/constants.js";
import { createOrderData, type CancelRequest, type OrderData, type OrderRequest } from "../../trader/objects.js";
import { orderValueProblem } from "../../trader/requestChecks.js";
import {
  TW_CCXT_BAD_OPTION,
  TW_CCXT_BAD_SYMBOL,
  TW_CCXT_NETWORK,
  TW_CCXT_NOT_CONNECTED,
  TW_CCXT_ORDER_NOT_FOUND,
  TW_CCXT_RATE_LIMIT,
  TW_CCXT_REJECTED,
  mapCcxtError,
} from "./errors.js";
import { createOrderArgs, foreignOrderData, statusOf, tradeDataOf } from "./orderMapping.js";
import type { CcxtSession } from "./session.js";
import { num, sleep } from "./util.js";
import { safeId } from "./venues.js";

/** Trades whose order is not known yet (a fill can arrive before the order's own update) wait at most this many. */
const MAX_PENDING_TRADES = 10_000;

export interface OrderState {
  data: OrderData;
  unified: string;
  exchangeId: string | undefined;
  /** The order was sent in this session and its fate is unknown (a network error on create). */
  unknownFate: boolean;
  cancelWanted: boolean;
}

/**
 * The orders and trades of the ccxt gateway: sending (the tickwire orderid is the client order
 * id), cancelling (deferred until the exchange's id is known), the lookup of an order whose create
 * failed on the network, and applying ccxt orders and trades from any source (create answers, the
 * private stream, REST) — order updates never move backwards, trades are pushed once per id, and
 * a fill that comes before its order waits for it.
 */
export class OrderTracker {
  private readonly orders = new Map<string, OrderState>();
  private readonly byExchangeId = new Map<string, string>();
  private readonly tradeIds = new Set<string>();
  private readonly pendingTrades = new Map<string, CcxtTrade[]>();
  private pendingTradeCount = 0;
  private orderCounter = 0;
  private readonly idStamp = Date.now().toString(36);

  constructor(private readonly s: CcxtSession) {}

  /** Every order known to this gateway. */
  states(): IterableIterator<OrderState> {
    return this.orders.values();
  }

  private newOrderId(): string {
    // The client order id: [a-zA-Z0-9] only, unique across sessions (a time stamp) and within one (a counter).
    this.orderCounter++;
    return `tw${this.idStamp}x${this.orderCounter.toString(36)}`;
  }

  sendOrder(req: OrderRequest): string {
    const s = this.s;
    const gw = s.gw;
    const orderid = this.newOrderId();
    const order = createOrderData(req, orderid, gw.gatewayName);
    const contract = s.contracts.get(req.symbol);
    const unified = s.map?.unifiedOf(req.symbol);
    const reject = (why: string): string => {
      const rejected = { ...order, status: Status.REJECTED, statusMsg: why };
      this.orders.set(orderid, { data: rejected, unified: unified ?? req.symbol, exchangeId: undefined, unknownFate: false, cancelWanted: false });
      gw.onOrder(rejected);
      gw.writeLog(`Order ${order.vtOrderid} rejected: ${why}`, LogLevel.WARNING);
      return order.vtOrderid;
    };
    if (!s.ex) return reject(`${TW_CCXT_NOT_CONNECTED}: the gateway is not connected`);
    if (!contract || !unified || req.exchange !== s.map!.exchange)
      return reject(`${TW_CCXT_BAD_SYMBOL}: ${req.vtSymbol} is not a contract of ${gw.gatewayName}`);
    if (!s.hasKeys()) return reject(`${TW_CCXT_BAD_OPTION}: no API key: connect with apiKey and secret to trade`);
    const p = orderValueProblem(req, contract, req.vtSymbol);
    if (p) return reject(`${TW_CCXT_REJECTED}: ${p.reason}`);
    if (req.type === OrderType.STOP && !contract.stopSupported) return reject(`${TW_CCXT_REJECTED}: STOP orders are not supported on ${req.vtSymbol}`);
    const wait = s.restPausedUntil - Date.now();
    if (wait > 0) return reject(`${TW_CCXT_RATE_LIMIT}: rate limited by ${s.cfg!.exchange}; no orders for another ${wait} ms`);
    const state: OrderState = { data: order, unified, exchangeId: undefined, unknownFate: false, cancelWanted: false };
    this.orders.set(orderid, state);
    gw.onOrder(order);
    void this.placeOrder(state, req, s.gen);
    return order.vtOrderid;
  }

  private async placeOrder(state: OrderState, req: OrderRequest, gen: number): Promise<void> {
    const s = this.s;
    const ex = s.ex!;
    const { type, side, price, params } = createOrderArgs(req, state.data.orderid);
    try {
      const o = await ex.createOrder(state.unified, type, side, req.volume, price, params);
      if (s.gen !== gen) return;
      this.applyOrder(o, state);
    } catch (e) {
      if (s.gen !== gen) return;
      const err = mapCcxtError(e, `createOrder ${req.vtSymbol}`, s.secrets);
      if (err.code === TW_CCXT_RATE_LIMIT) s.pauseRest();
      if (err.code === TW_CCXT_NETWORK) {
        // The request may have reached the exchange: find the order by its client id before calling it rejected.
        state.unknownFate = true;
        s.gw.writeLog(`Order ${state.data.vtOrderid}: ${err.message}; looking it up by its client order id.`, LogLevel.WARNING);
        await sleep(s.cfg!.reconnectMinMs);
        await this.resolveUnknown(state, gen);
        return;
      }
      this.updateOrder(state, { status: Status.REJECTED, statusMsg: `${err.code}: ${err.message}` });
      s.gw.writeLog(`Order ${state.data.vtOrderid} rejected: ${err.code}: ${err.message}`, LogLevel.WARNING);
    }
  }

  /** Looks up an order whose create failed on the network: found → its state; not found → REJECTED. */
  async resolveUnknown(state: OrderState, gen: number): Promise<void> {
    const s = this.s;
    const ex = s.ex;
    if (!ex || s.gen !== gen || !state.unknownFate) return;
    try {
      await s.restReady();
      const o = await ex.fetchOrder(undefined as unknown as string, state.unified, { clientOrderId: state.data.orderid });
      state.unknownFate = false;
      this.applyOrder(o, state);
    } catch (e) {
      const err = mapCcxtError(e, `fetchOrder ${state.data.vtOrderid}`, s.secrets);
      if (err.code === TW_CCXT_ORDER_NOT_FOUND || err.code === TW_CCXT_REJECTED) {
        state.unknownFate = false;
        this.updateOrder(state, { status: Status.REJECTED, statusMsg: `${TW_CCXT_NETWORK}: the order did not reach the exchange` });
      }
      // Otherwise still unknown: the next reconciliation asks again.
    }
  }

  cancelOrder(req: CancelRequest): void {
    const state = this.orders.get(req.orderid);
    if (!state) {
      this.s.gw.writeLog(`Cannot cancel ${req.orderid}: not an order of gateway ${this.s.gw.gatewayName}.`, LogLevel.WARNING);
      return;
    }
    if (!ACTIVE_STATUSES.has(state.data.status)) return;
    state.cancelWanted = true;
    // Not acknowledged yet: cancelled as soon as the exchange's id is known (applyOrder).
    if (state.exchangeId === undefined) return;
    void this.doCancel(state, this.s.gen);
  }

  private async doCancel(state: OrderState, gen: number): Promise<void> {
    const s = this.s;
    const ex = s.ex;
    if (!ex || state.exchangeId === undefined) return;
    state.cancelWanted = false;
    try {
      const o = await ex.cancelOrder(state.exchangeId, state.unified);
      if (s.gen !== gen) return;
      // Some exchanges answer a cancel with a bare acknowledgement: then the order stays as it is until its update.
      if (o && typeof o.status === "string") this.applyOrder(o, state);
    } catch (e) {
      if (s.gen !== gen) return;
      const err = mapCcxtError(e, `cancelOrder ${state.data.vtOrderid}`, s.secrets);
      if (err.code === TW_CCXT_RATE_LIMIT) s.pauseRest();
      s.gw.writeLog(`Cancel of ${state.data.vtOrderid} failed: ${err.code}: ${err.message}`, LogLevel.WARNING);
      // Typically filled or cancelled meanwhile: ask for the order's state.
      void this.refreshOrder(state, gen);
    }
  }

  private async refreshOrder(state: OrderState, gen: number): Promise<void> {
    const s = this.s;
    const ex = s.ex;
    if (!ex || state.exchangeId === undefined) return;
    try {
      await s.restReady();
      const o = await ex.fetchOrder(state.exchangeId, state.unified);
      if (s.gen === gen) this.applyOrder(o, state);
    } catch (e) {
      s.gw.writeLog(mapCcxtError(e, `fetchOrder ${state.data.vtOrderid}`, s.secrets).message, LogLevel.DEBUG);
    }
  }

  private updateOrder(state: OrderState, change: Partial<OrderData>): void {
    const next = { ...state.data, ...change, datetime: change.datetime ?? Date.now() };
    state.data = next;
    this.s.gw.onOrder(next);
  }

  /** Applies a ccxt order (from a create answer, the stream or REST) to its state; pushes only changes, never backwards. */
  applyOrder(o: CcxtOrder, known?: OrderState): void {
    let state = known;
    const clientId = typeof o.clientOrderId === "string" ? o.clientOrderId : undefined;
    if (!state && clientId) state = this.orders.get(clientId);
    if (!state && o.id) {
      const id = this.byExchangeId.get(String(o.id));
      if (id) state = this.orders.get(id);
    }
    const map = this.s.map;
    const symbol = map?.symbolOf(o.symbol ?? "");
    if (!state) {
      // An order of this account not sent by this session (another program, an earlier session).
      if (!symbol) return;
      const orderid = safeId(clientId ?? String(o.id));
      const data = foreignOrderData(o, orderid, symbol, map!.exchange, this.s.gw.gatewayName);
      state = { data, unified: o.symbol ?? "", exchangeId: undefined, unknownFate: false, cancelWanted: false };
      this.orders.set(orderid, state);
    }
    this.applyToState(o, state);
  }

  private applyToState(o: CcxtOrder, state: OrderState): void {
    if (o.id && state.exchangeId === undefined) {
      state.exchangeId = String(o.id);
      this.byExchangeId.set(state.exchangeId, state.data.orderid);
      state.unknownFate = false;
    }
    const prev = state.data;
    const status = statusOf(o);
    const traded = Math.max(prev.traded, num(o.filled));
    if (status !== undefined && !ACTIVE_STATUSES.has(prev.status) && prev.status !== Status.SUBMITTING) {
      // Final already: a late or replayed update changes nothing.
    } else if (status !== undefined && (status !== prev.status || traded !== prev.traded)) {
      // A replayed older update (less filled) must not move the order back.
      const older = num(o.filled) < prev.traded;
      if (!older) {
        const statusMsg = o.status === "expired" ? "expired: the rest was not filled at once (MARKET / FAK / FOK)" : prev.statusMsg;
        this.updateOrder(state, { status, traded, statusMsg, datetime: num(o.lastUpdateTimestamp) || num(o.timestamp) || Date.now() });
      }
    }
    if (state.exchangeId !== undefined) this.flushPendingTrades(state.exchangeId);
    if (Array.isArray(o.trades))
      for (const t of o.trades)
        if (t && t.id) this.applyTrade({ ...t, order: t.order ?? state.exchangeId, symbol: t.symbol ?? o.symbol, side: t.side ?? o.side });
    if (state.cancelWanted && ACTIVE_STATUSES.has(state.data.status)) void this.doCancel(state, this.s.gen);
  }

  /** Applies a ccxt trade: once per trade id, under the order it belongs to. */
  applyTrade(t: CcxtTrade): void {
    if (!t.id) return;
    const id = String(t.id);
    if (this.tradeIds.has(id)) return;
    const exchangeOrderId = t.order === undefined || t.order === null ? undefined : String(t.order);
    const orderid = exchangeOrderId ? this.byExchangeId.get(exchangeOrderId) : undefined;
    const state = orderid ? this.orders.get(orderid) : undefined;
    const map = this.s.map;
    const symbol = map?.symbolOf(t.symbol ?? "");
    if (!state || !symbol) {
      // The order's own update has not come yet: keep the fill until it does.
      if (exchangeOrderId && symbol && this.pendingTradeCount < MAX_PENDING_TRADES) {
        const list = this.pendingTrades.get(exchangeOrderId) ?? [];
        if (!list.some((x) => String(x.id) === id)) {
          list.push(t);
          this.pendingTradeCount++;
        }
        this.pendingTrades.set(exchangeOrderId, list);
      }
      return;
    }
    this.tradeIds.add(id);
    this.s.gw.onTrade(tradeDataOf(t, id, symbol, map!.exchange, state.data, this.s.gw.gatewayName));
  }

  private flushPendingTrades(exchangeOrderId: string): void {
    const list = this.pendingTrades.get(exchangeOrderId);
    if (!list) return;
    this.pendingTrades.delete(exchangeOrderId);
    this.pendingTradeCount -= list.length;
    for (const t of list) this.applyTrade(t);
  }
}
