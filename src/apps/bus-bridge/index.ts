/** tickwire/apps/bus-bridge: the trading objects on the event center (aioquant's exchanges) and
 * `attachBus`, which publishes an engine's trading events. src/bus itself knows nothing of trading. */
export {
  OrderbookEvent,
  KlineEvent,
  TradeEvent,
  OrderEvent,
  PositionEvent,
  AssetEvent,
  TradingEvents,
  type SymbolRecord,
  type AccountRecord,
} from "./tradingEvents.js";
export { keyWord } from "../../bus/topic.js";
export { attachBus, TRADING_ROUTES, type AttachedBus, type AttachBusOptions } from "./attachBus.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
