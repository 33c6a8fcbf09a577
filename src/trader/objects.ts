import {
  ACTIVE_STATUSES,
  Direction,
  Interval,
  LogLevel,
  Offset,
  OrderType,
  Status,
  type Exchange,
  type GatewayStatus,
  type OptionType,
  type Product,
} from "./constants.js";
import { assertIdPart, checkedVtSymbol, vtAccountidOf, vtOrderidOf, vtPositionidOf, vtTradeidOf } from "./ids.js";

/*
 * The data objects of the domain, after vnpy's `object.py`, as PLAIN data: interfaces, built by
 * `create*` factories that fill defaults, validate ids and compute the derived ids (the only place
 * they are computed). No classes and no Dates, so msgpack, JSON and structuredClone carry every
 * object across processes and back deep-equal. Times are epoch milliseconds (UTC).
 * Treat objects as immutable once pushed: copy ({ ...order, status }) before changing one.
 */

/** Fields of every object a gateway pushes. */
export interface BaseData {
  /** The gateway (or engine/app, for logs) that produced the object. */
  gatewayName: string;
}

/** Fields of every object about one instrument. */
export interface SymbolData {
  symbol: string;
  exchange: Exchange;
  /** `symbol.exchange`, derived. */
  vtSymbol: string;
}

/** Market data: last trade, day statistics and a 5-level book. */
export interface TickData extends BaseData, SymbolData {
  /** Exchange time of the tick, epoch ms. */
  datetime: number;
  name: string;
  /** Cumulative volume of the day. */
  volume: number;
  /** Cumulative turnover of the day. */
  turnover: number;
  openInterest: number;
  lastPrice: number;
  lastVolume: number;
  limitUp: number;
  limitDown: number;
  openPrice: number;
  highPrice: number;
  lowPrice: number;
  preClose: number;
  bidPrice1: number;
  bidPrice2: number;
  bidPrice3: number;
  bidPrice4: number;
  bidPrice5: number;
  askPrice1: number;
  askPrice2: number;
  askPrice3: number;
  askPrice4: number;
  askPrice5: number;
  bidVolume1: number;
  bidVolume2: number;
  bidVolume3: number;
  bidVolume4: number;
  bidVolume5: number;
  askVolume1: number;
  askVolume2: number;
  askVolume3: number;
  askVolume4: number;
  askVolume5: number;
}

/** A candle of `interval` starting at `datetime`. */
export interface BarData extends BaseData, SymbolData {
  /** Start of the bar, epoch ms. */
  datetime: number;
  interval: Interval;
  volume: number;
  turnover: number;
  openInterest: number;
  openPrice: number;
  highPrice: number;
  lowPrice: number;
  closePrice: number;
}

/** The latest state of an order. */
export interface OrderData extends BaseData, SymbolData {
  /** The gateway's own id of the order (no dots). */
  orderid: string;
  /** `gatewayName.orderid`, derived. */
  vtOrderid: string;
  type: OrderType;
  direction: Direction;
  offset: Offset;
  price: number;
  volume: number;
  /** Volume filled so far. */
  traded: number;
  status: Status;
  /** Time of the last change, epoch ms. */
  datetime: number;
  /** Free text the sender attached (strategy name, ...). */
  reference: string;
  /** Why the order is in its status, e.g. a rejection reason; "" when there is nothing to say. */
  statusMsg: string;
}

/** A fill. */
export interface TradeData extends BaseData, SymbolData {
  orderid: string;
  vtOrderid: string;
  tradeid: string;
  /** `gatewayName.tradeid`, derived. */
  vtTradeid: string;
  direction: Direction;
  offset: Offset;
  price: number;
  volume: number;
  datetime: number;
}

/** A position on one side (or net) of one instrument. */
export interface PositionData extends BaseData, SymbolData {
  direction: Direction;
  /** `gatewayName.vtSymbol.direction`, derived. */
  vtPositionid: string;
  volume: number;
  /** Volume held by pending close orders. */
  frozen: number;
  /** Average price. */
  price: number;
  /** Profit and loss marked to market. */
  pnl: number;
  /** Volume held from before today (for CLOSEYESTERDAY). */
  ydVolume: number;
}

/** A trading account. */
export interface AccountData extends BaseData {
  accountid: string;
  /** `gatewayName.accountid`, derived. */
  vtAccountid: string;
  balance: number;
  /** Margin and funds held by pending orders. */
  frozen: number;
  /** `balance - frozen`, derived. */
  available: number;
}

/** Extra fields of an option contract. */
export interface OptionInfo {
  strike: number;
  underlying: string;
  type: OptionType;
  /** Listing date, epoch ms. */
  listed: number;
  /** Expiry date, epoch ms. */
  expiry: number;
  portfolio: string;
  index: string;
}

/** What can be traded and how. */
export interface ContractData extends BaseData, SymbolData {
  name: string;
  product: Product;
  /** Contract size: the multiplier from price to money (1 for stocks and spot). */
  size: number;
  /** Minimum price increment. */
  priceTick: number;
  /** Minimum order volume; volumes must be multiples of it. */
  minVolume: number;
  /** Maximum order volume, or null when there is none. */
  maxVolume: number | null;
  stopSupported: boolean;
  /** Positions are kept net (one per instrument) rather than long and short. */
  netPosition: boolean;
  historyData: boolean;
  option: OptionInfo | null;
}

/** A log line. `gatewayName` is its source (a gateway, an engine or an app). */
export interface LogData extends BaseData {
  msg: string;
  level: LogLevel;
  datetime: number;
}

/** A change of a gateway's connection state (event `eGateway.`). */
export interface GatewayStatusData extends BaseData {
  status: GatewayStatus;
  /** Why, e.g. the reason of a disconnect; "" when there is nothing to say. */
  msg: string;
  datetime: number;
}

/** Subscribe to market data of one instrument. */
export interface SubscribeRequest {
  symbol: string;
  exchange: Exchange;
  vtSymbol: string;
}

/** Send an order. */
export interface OrderRequest {
  symbol: string;
  exchange: Exchange;
  vtSymbol: string;
  direction: Direction;
  type: OrderType;
  volume: number;
  price: number;
  offset: Offset;
  reference: string;
}

/** Cancel an order. */
export interface CancelRequest {
  orderid: string;
  symbol: string;
  exchange: Exchange;
  vtSymbol: string;
}

/** Ask for bars of one instrument over a time range. */
export interface HistoryRequest {
  symbol: string;
  exchange: Exchange;
  vtSymbol: string;
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms. */
  end: number;
  interval: Interval;
}

// ---------------------------------------------------------------------------------------------
// Factories. Each takes the required fields plus any optional ones, and returns a complete
// object with the same key order every time (one hidden class, fast property access).

type Derived = "vtSymbol" | "vtOrderid" | "vtTradeid" | "vtPositionid" | "vtAccountid" | "available";
/** The input of a factory: `R` required fields, every other non-derived field optional. */
export type Init<T, R extends keyof T> = Pick<T, R> & Partial<Omit<T, R | Derived>>;

export type TickInit = Init<TickData, "gatewayName" | "symbol" | "exchange" | "datetime">;
export type BarInit = Init<BarData, "gatewayName" | "symbol" | "exchange" | "datetime">;
export type OrderInit = Init<OrderData, "gatewayName" | "symbol" | "exchange" | "orderid" | "direction">;
export type TradeInit = Init<TradeData, "gatewayName" | "symbol" | "exchange" | "orderid" | "tradeid" | "direction">;
export type PositionInit = Init<PositionData, "gatewayName" | "symbol" | "exchange" | "direction">;
export type AccountInit = Init<AccountData, "gatewayName" | "accountid">;
export type ContractInit = Init<ContractData, "gatewayName" | "symbol" | "exchange" | "name" | "product" | "size" | "priceTick">;
export type LogInit = Init<LogData, "msg">;
export type GatewayStatusInit = Init<GatewayStatusData, "gatewayName" | "status">;
export type SubscribeInit = Init<SubscribeRequest, "symbol" | "exchange">;
export type OrderRequestInit = Init<OrderRequest, "symbol" | "exchange" | "direction" | "volume">;
export type CancelInit = Init<CancelRequest, "orderid" | "symbol" | "exchange">;
export type HistoryInit = Init<HistoryRequest, "symbol" | "exchange" | "start">;

// The gateway name the previous factory call validated: a gateway builds all its objects under
// one name, so an identity check skips re-scanning it. Starts as a value no input can equal.
let lastGatewayName: unknown = Symbol("none");

function checkedGatewayName(name: string): string {
  if (name !== lastGatewayName) {
    assertIdPart("gatewayName", name);
    lastGatewayName = name;
  }
  return name;
}

export function createTick(i: TickInit): TickData {
  const gatewayName = checkedGatewayName(i.gatewayName);
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return {
    gatewayName,
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol,
    datetime: i.datetime,
    name: i.name ?? "",
    volume: i.volume ?? 0,
    turnover: i.turnover ?? 0,
    openInterest: i.openInterest ?? 0,
    lastPrice: i.lastPrice ?? 0,
    lastVolume: i.lastVolume ?? 0,
    limitUp: i.limitUp ?? 0,
    limitDown: i.limitDown ?? 0,
    openPrice: i.openPrice ?? 0,
    highPrice: i.highPrice ?? 0,
    lowPrice: i.lowPrice ?? 0,
    preClose: i.preClose ?? 0,
    bidPrice1: i.bidPrice1 ?? 0,
    bidPrice2: i.bidPrice2 ?? 0,
    bidPrice3: i.bidPrice3 ?? 0,
    bidPrice4: i.bidPrice4 ?? 0,
    bidPrice5: i.bidPrice5 ?? 0,
    askPrice1: i.askPrice1 ?? 0,
    askPrice2: i.askPrice2 ?? 0,
    askPrice3: i.askPrice3 ?? 0,
    askPrice4: i.askPrice4 ?? 0,
    askPrice5: i.askPrice5 ?? 0,
    bidVolume1: i.bidVolume1 ?? 0,
    bidVolume2: i.bidVolume2 ?? 0,
    bidVolume3: i.bidVolume3 ?? 0,
    bidVolume4: i.bidVolume4 ?? 0,
    bidVolume5: i.bidVolume5 ?? 0,
    askVolume1: i.askVolume1 ?? 0,
    askVolume2: i.askVolume2 ?? 0,
    askVolume3: i.askVolume3 ?? 0,
    askVolume4: i.askVolume4 ?? 0,
    askVolume5: i.askVolume5 ?? 0,
  };
}

// V8 gives plain objects with the same keys in the same order one hidden class, shared by every
// place that builds them (this factory, SimGateway, JSON.parse, codecs), and decides per field
// how values are stored. Once a field has held a fraction it is stored as a boxed double, and
// every tick built afterwards allocates a box for each of its 30-odd number fields, zeros
// included (createTick ran 3-4x slower once the simulator's ticks had gone by). Storing a
// non-number once, at load, makes the fields tagged: integers are stored inline, only fractional
// values are boxed. Ticks are the one object built millions of times a second; the shape is theirs.
function generalizeTickFields(): void {
  const tick = createTick({ gatewayName: "shape", symbol: "shape", exchange: "LOCAL", datetime: 0 }) as unknown as Record<string, unknown>;
  for (const key of Object.keys(tick)) if (typeof tick[key] === "number") tick[key] = null;
}
generalizeTickFields();

export function createBar(i: BarInit): BarData {
  checkedGatewayName(i.gatewayName);
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return {
    gatewayName: i.gatewayName,
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol,
    datetime: i.datetime,
    interval: i.interval ?? Interval.MINUTE,
    volume: i.volume ?? 0,
    turnover: i.turnover ?? 0,
    openInterest: i.openInterest ?? 0,
    openPrice: i.openPrice ?? 0,
    highPrice: i.highPrice ?? 0,
    lowPrice: i.lowPrice ?? 0,
    closePrice: i.closePrice ?? 0,
  };
}

export function createOrder(i: OrderInit): OrderData {
  checkedGatewayName(i.gatewayName);
  assertIdPart("orderid", i.orderid);
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return {
    gatewayName: i.gatewayName,
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol,
    orderid: i.orderid,
    vtOrderid: vtOrderidOf(i.gatewayName, i.orderid),
    type: i.type ?? OrderType.LIMIT,
    direction: i.direction,
    offset: i.offset ?? Offset.NONE,
    price: i.price ?? 0,
    volume: i.volume ?? 0,
    traded: i.traded ?? 0,
    status: i.status ?? Status.SUBMITTING,
    datetime: i.datetime ?? Date.now(),
    reference: i.reference ?? "",
    statusMsg: i.statusMsg ?? "",
  };
}

export function createTrade(i: TradeInit): TradeData {
  checkedGatewayName(i.gatewayName);
  assertIdPart("orderid", i.orderid);
  assertIdPart("tradeid", i.tradeid);
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return {
    gatewayName: i.gatewayName,
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol,
    orderid: i.orderid,
    vtOrderid: vtOrderidOf(i.gatewayName, i.orderid),
    tradeid: i.tradeid,
    vtTradeid: vtTradeidOf(i.gatewayName, i.tradeid),
    direction: i.direction,
    offset: i.offset ?? Offset.NONE,
    price: i.price ?? 0,
    volume: i.volume ?? 0,
    datetime: i.datetime ?? Date.now(),
  };
}

export function createPosition(i: PositionInit): PositionData {
  checkedGatewayName(i.gatewayName);
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return {
    gatewayName: i.gatewayName,
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol,
    direction: i.direction,
    vtPositionid: vtPositionidOf(i.gatewayName, vtSymbol, i.direction),
    volume: i.volume ?? 0,
    frozen: i.frozen ?? 0,
    price: i.price ?? 0,
    pnl: i.pnl ?? 0,
    ydVolume: i.ydVolume ?? 0,
  };
}

export function createAccount(i: AccountInit): AccountData {
  checkedGatewayName(i.gatewayName);
  assertIdPart("accountid", i.accountid);
  const balance = i.balance ?? 0;
  const frozen = i.frozen ?? 0;
  return {
    gatewayName: i.gatewayName,
    accountid: i.accountid,
    vtAccountid: vtAccountidOf(i.gatewayName, i.accountid),
    balance,
    frozen,
    available: balance - frozen,
  };
}

export function createContract(i: ContractInit): ContractData {
  checkedGatewayName(i.gatewayName);
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return {
    gatewayName: i.gatewayName,
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol,
    name: i.name,
    product: i.product,
    size: i.size,
    priceTick: i.priceTick,
    minVolume: i.minVolume ?? 1,
    maxVolume: i.maxVolume ?? null,
    stopSupported: i.stopSupported ?? false,
    netPosition: i.netPosition ?? false,
    historyData: i.historyData ?? false,
    option: i.option ?? null,
  };
}

export function createLog(i: LogInit): LogData {
  return {
    gatewayName: i.gatewayName ?? "",
    msg: i.msg,
    level: i.level ?? LogLevel.INFO,
    datetime: i.datetime ?? Date.now(),
  };
}

export function createGatewayStatus(i: GatewayStatusInit): GatewayStatusData {
  checkedGatewayName(i.gatewayName);
  return {
    gatewayName: i.gatewayName,
    status: i.status,
    msg: i.msg ?? "",
    datetime: i.datetime ?? Date.now(),
  };
}

export function createSubscribeRequest(i: SubscribeInit): SubscribeRequest {
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return { symbol: i.symbol, exchange: i.exchange, vtSymbol };
}

export function createOrderRequest(i: OrderRequestInit): OrderRequest {
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return {
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol,
    direction: i.direction,
    type: i.type ?? OrderType.LIMIT,
    volume: i.volume,
    price: i.price ?? 0,
    offset: i.offset ?? Offset.NONE,
    reference: i.reference ?? "",
  };
}

/** The request that cancels an order; pass the OrderData itself (`createCancelRequest(order)`). */
export function createCancelRequest(i: CancelInit): CancelRequest {
  assertIdPart("orderid", i.orderid);
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return { orderid: i.orderid, symbol: i.symbol, exchange: i.exchange, vtSymbol };
}

export function createHistoryRequest(i: HistoryInit): HistoryRequest {
  const vtSymbol = checkedVtSymbol(i.symbol, i.exchange);
  return {
    symbol: i.symbol,
    exchange: i.exchange,
    vtSymbol,
    start: i.start,
    end: i.end ?? Date.now(),
    interval: i.interval ?? Interval.MINUTE,
  };
}

// ---------------------------------------------------------------------------------------------
// Behaviour, as functions over the plain objects.

/** True while the order can still trade or be cancelled (SUBMITTING, NOTTRADED, PARTTRADED). */
export function isActive(order: Pick<OrderData, "status">): boolean {
  return ACTIVE_STATUSES.has(order.status);
}

/**
 * The OrderData a gateway makes for `req` under its own `orderid` (status SUBMITTING).
 * Gateways call this in `sendOrder`, as vnpy's `OrderRequest.create_order_data`.
 */
export function createOrderData(req: OrderRequest, orderid: string, gatewayName: string, datetime: number = Date.now()): OrderData {
  return createOrder({
    gatewayName,
    symbol: req.symbol,
    exchange: req.exchange,
    orderid,
    type: req.type,
    direction: req.direction,
    offset: req.offset,
    price: req.price,
    volume: req.volume,
    traded: 0,
    status: Status.SUBMITTING,
    datetime,
    reference: req.reference,
  });
}

/** The available funds of an account: balance − frozen. */
export function availableOf(account: Pick<AccountData, "balance" | "frozen">): number {
  return account.balance - account.frozen;
}
