import type { Order as CcxtOrder, Trade as CcxtTrade } from "ccxt";
import { Direction, type Exchange, OrderType, Status } from "../../trader/constants.js";
import { createOrderData, createTrade, type OrderData, type OrderRequest, type TradeData } from "../../trader/objects.js";
import { safeId } from "./venues.js";
import { num } from "./util.js";

/** The arguments of ccxt's `createOrder` for a tickwire order (the orderid is the client order id). */
export interface CreateOrderArgs {
  type: "limit" | "market";
  side: "buy" | "sell";
  price: number | undefined;
  params: Record<string, unknown>;
}

/** LIMIT → GTC, FAK → IOC, FOK → FOK, MARKET → market, STOP → a market order triggered at the price. */
export function createOrderArgs(req: OrderRequest, clientOrderId: string): CreateOrderArgs {
  const side = req.direction === Direction.LONG ? "buy" : "sell";
  const params: Record<string, unknown> = { clientOrderId };
  let type: "limit" | "market" = "limit";
  let price: number | undefined = req.price;
  switch (req.type) {
    case OrderType.LIMIT:
      params.timeInForce = "GTC";
      break;
    case OrderType.FAK:
      params.timeInForce = "IOC";
      break;
    case OrderType.FOK:
      params.timeInForce = "FOK";
      break;
    case OrderType.MARKET:
      type = "market";
      price = undefined;
      break;
    case OrderType.STOP:
      // A stop is a market order triggered at the price (Binance spot: STOP_LOSS).
      type = "market";
      params.triggerPrice = req.price;
      price = undefined;
      break;
  }
  return { type, side, price, params };
}

/** The tickwire status of a ccxt order. */
export function statusOf(o: CcxtOrder): Status | undefined {
  const filled = num(o.filled);
  switch (o.status) {
    case "open":
      return filled > 0 ? Status.PARTTRADED : Status.NOTTRADED;
    case "closed":
      return Status.ALLTRADED;
    case "canceled":
    case "cancelled":
    case "expired":
      return Status.CANCELLED;
    case "rejected":
      return Status.REJECTED;
    default:
      return undefined;
  }
}

/** The tickwire order type of a ccxt order. */
export function orderTypeOf(o: CcxtOrder): OrderType {
  if (o.type === "market") return OrderType.MARKET;
  if (o.triggerPrice) return OrderType.STOP;
  if (o.timeInForce === "IOC") return OrderType.FAK;
  if (o.timeInForce === "FOK") return OrderType.FOK;
  return OrderType.LIMIT;
}

/** OrderData for an order of this account that this session did not send (another program, an earlier session). */
export function foreignOrderData(o: CcxtOrder, orderid: string, symbol: string, exchange: Exchange, gatewayName: string): OrderData {
  return createOrderData(
    {
      symbol,
      exchange,
      vtSymbol: `${symbol}.${exchange}`,
      direction: o.side === "sell" ? Direction.SHORT : Direction.LONG,
      type: orderTypeOf(o),
      volume: num(o.amount),
      price: num(o.price) || num(o.triggerPrice),
      offset: "NONE",
      reference: "",
    },
    orderid,
    gatewayName,
    num(o.timestamp) || Date.now(),
  );
}

/** TradeData for a ccxt trade (id `id`) of the order `order`. */
export function tradeDataOf(t: CcxtTrade, id: string, symbol: string, exchange: Exchange, order: OrderData, gatewayName: string): TradeData {
  return createTrade({
    gatewayName,
    symbol,
    exchange,
    orderid: order.orderid,
    tradeid: safeId(id),
    direction: t.side === "sell" ? Direction.SHORT : Direction.LONG,
    offset: order.offset,
    price: num(t.price),
    volume: num(t.amount),
    datetime: num(t.timestamp) || Date.now(),
  });
}
