import type { AccountData, ContractData, GatewayStatusData, LogData, OrderData, PositionData, TickData, TradeData } from "./objects.js";

/*
 * Event types of the trading domain. A gateway pushes each update twice, as vnpy does: first the
 * general type ("eTick.") that engines such as the OMS listen to, then the type plus a key
 * ("eTick.rb2410.SHFE") for whoever wants one instrument or one order only.
 * Keys: tick/trade/position -> vtSymbol; order -> vtOrderid; account -> vtAccountid;
 * gateway state -> gatewayName. Contracts and logs are published under the general type only.
 */
export const EVENT_TICK = "eTick.";
export const EVENT_TRADE = "eTrade.";
export const EVENT_ORDER = "eOrder.";
export const EVENT_POSITION = "ePosition.";
export const EVENT_ACCOUNT = "eAccount.";
export const EVENT_CONTRACT = "eContract.";
export const EVENT_LOG = "eLog";
/** Connection state changes of gateways (connecting, connected, reconnected, disconnected). */
export const EVENT_GATEWAY = "eGateway.";

/**
 * The event map of the trading domain, for `new EventEngine<TraderEvents>()`. Template-literal
 * keys type keyed events too: `register("eTick.rb2410.SHFE", h)` gives `h` an `Event<TickData>`.
 * (eTimer, eHandlerError and the engine's other built-in events are added by EventEngine itself.)
 * Apps with events of their own extend it: `EventEngine<TraderEvents & { eCtaLog: LogData }>`.
 */
export type TraderEvents = {
  [K in `eTick.${string}`]: TickData;
} & {
  [K in `eTrade.${string}`]: TradeData;
} & {
  [K in `eOrder.${string}`]: OrderData;
} & {
  [K in `ePosition.${string}`]: PositionData;
} & {
  [K in `eAccount.${string}`]: AccountData;
} & {
  [K in `eContract.${string}`]: ContractData;
} & {
  [K in `eGateway.${string}`]: GatewayStatusData;
} & {
  eLog: LogData;
};
