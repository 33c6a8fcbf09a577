import { defineBusEvent } from "./BusEventKind.js";

/*
 * Event kinds for the trading objects, on aioquant's exchanges and names. src/bus does not know
 * tickwire's trader types (layering), so these are typed by the fields they route on; get the
 * full type with `.typed<TickData>()`. Routing keys follow aioquant's `{platform}.{symbol}`,
 * with the gateway as the platform: "SIM.rb2410".
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

/** A routing-key word: dots would split it into two words, so they become underscores. */
export function keyWord(s: string): string {
  return s.includes(".") ? s.replaceAll(".", "_") : s;
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
