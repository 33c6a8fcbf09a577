import type { AccountData, BarData, OrderData, PositionData, TickData, TradeData } from "../../trader/objects.js";
import { defineBusEvent, type BusEventKind } from "../../bus/BusEventKind.js";
import { keyWord } from "../../bus/topic.js";

/*
 * Event kinds for the trading objects, on aioquant's exchanges and names. The aioquant-named
 * kinds are typed by the fields they route on, so any record with those fields can be published
 * (aioquant's own payloads too); `TradingEvents` has the same kinds typed with tickwire's trader
 * objects. Routing keys follow aioquant's `{platform}.{symbol}`, with the gateway as the
 * platform: "SIM.rb2410".
 */

/** Fields market data and order events route on. */
export interface SymbolRecord {
  gatewayName: string;
  symbol: string;
  [field: string]: unknown;
}

/** Fields account events route on. */
export interface AccountRecord {
  gatewayName: string;
  accountid: string;
  [field: string]: unknown;
}

const bySymbol = (d: SymbolRecord): string => `${keyWord(d.gatewayName)}.${keyWord(d.symbol)}`;
const byAccount = (d: AccountRecord): string => `${keyWord(d.gatewayName)}.${keyWord(d.accountid)}`;

/** Ticks / order books → exchange "Orderbook". */
export const OrderbookEvent = defineBusEvent<SymbolRecord>("EVENT_ORDERBOOK", "Orderbook", { key: bySymbol });
/** Bars / klines → exchange "Kline". */
export const KlineEvent = defineBusEvent<SymbolRecord>("EVENT_KLINE", "Kline", { key: bySymbol });
/** Trades (fills) → exchange "Trade". */
export const TradeEvent = defineBusEvent<SymbolRecord>("EVENT_TRADE", "Trade", { key: bySymbol });
/** Orders → exchange "Order". */
export const OrderEvent = defineBusEvent<SymbolRecord>("EVENT_ORDER", "Order", { key: bySymbol });
/** Positions → exchange "Position". */
export const PositionEvent = defineBusEvent<SymbolRecord>("EVENT_POSITION", "Position", { key: bySymbol });
/** Accounts / assets → exchange "Asset", key "<gateway>.<accountid>". */
export const AssetEvent = defineBusEvent<AccountRecord>("EVENT_ASSET", "Asset", { key: byAccount });

/**
 * The trading kinds typed with tickwire's objects: `TradingEvents.tick.parse(event)` is a
 * `TickData`, `TradingEvents.order.create(order)` takes an `OrderData`. Same exchanges, names and
 * routing keys as the aioquant-named kinds above.
 */
export const TradingEvents: {
  readonly tick: BusEventKind<TickData>;
  readonly bar: BusEventKind<BarData>;
  readonly trade: BusEventKind<TradeData>;
  readonly order: BusEventKind<OrderData>;
  readonly position: BusEventKind<PositionData>;
  readonly account: BusEventKind<AccountData>;
} = {
  tick: OrderbookEvent.typed<TickData>(),
  bar: KlineEvent.typed<BarData>(),
  trade: TradeEvent.typed<TradeData>(),
  order: OrderEvent.typed<OrderData>(),
  position: PositionEvent.typed<PositionData>(),
  account: AssetEvent.typed<AccountData>(),
};
