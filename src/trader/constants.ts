/**
 * Enumerations of the trading domain, after vnpy's `constant.py`, with stable string codes.
 * vnpy's values are localized display strings that leak into ids and saved files; here the value
 * IS the code (it never changes), and display names, if ever localized, live elsewhere.
 * Each is an `as const` object plus a union type of the same name, so values are plain strings
 * that any codec carries.
 */

/** Direction of an order, trade or position. */
export const Direction = {
  LONG: "LONG",
  SHORT: "SHORT",
  NET: "NET",
} as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** Open/close flag of an order (futures markets of China need it; others use NONE). */
export const Offset = {
  NONE: "NONE",
  OPEN: "OPEN",
  CLOSE: "CLOSE",
  CLOSETODAY: "CLOSETODAY",
  CLOSEYESTERDAY: "CLOSEYESTERDAY",
} as const;
export type Offset = (typeof Offset)[keyof typeof Offset];

/** Order status. */
export const Status = {
  SUBMITTING: "SUBMITTING",
  NOTTRADED: "NOTTRADED",
  PARTTRADED: "PARTTRADED",
  ALLTRADED: "ALLTRADED",
  CANCELLED: "CANCELLED",
  REJECTED: "REJECTED",
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/** The statuses of an order that can still trade or be cancelled. */
export const ACTIVE_STATUSES: ReadonlySet<Status> = new Set<Status>([Status.SUBMITTING, Status.NOTTRADED, Status.PARTTRADED]);

/** Order type. */
export const OrderType = {
  LIMIT: "LIMIT",
  MARKET: "MARKET",
  STOP: "STOP",
  /** Fill and kill: fill what can be filled now, cancel the rest. */
  FAK: "FAK",
  /** Fill or kill: fill everything now or nothing. */
  FOK: "FOK",
} as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/** Product class of a contract. */
export const Product = {
  EQUITY: "EQUITY",
  FUTURES: "FUTURES",
  OPTION: "OPTION",
  INDEX: "INDEX",
  FOREX: "FOREX",
  SPOT: "SPOT",
  ETF: "ETF",
  BOND: "BOND",
  WARRANT: "WARRANT",
  SPREAD: "SPREAD",
  FUND: "FUND",
  CFD: "CFD",
  SWAP: "SWAP",
} as const;
export type Product = (typeof Product)[keyof typeof Product];

/** Option type of an option contract. */
export const OptionType = {
  CALL: "CALL",
  PUT: "PUT",
} as const;
export type OptionType = (typeof OptionType)[keyof typeof OptionType];

/** Exchange codes: the value is the code used in `vtSymbol` ("rb2410.SHFE"). */
export const Exchange = {
  // China
  CFFEX: "CFFEX",
  SHFE: "SHFE",
  CZCE: "CZCE",
  DCE: "DCE",
  INE: "INE",
  GFEX: "GFEX",
  SSE: "SSE",
  SZSE: "SZSE",
  BSE: "BSE",
  SHHK: "SHHK",
  SZHK: "SZHK",
  SGE: "SGE",
  WXE: "WXE",
  CFETS: "CFETS",
  XBOND: "XBOND",
  // Global
  SMART: "SMART",
  NYSE: "NYSE",
  NASDAQ: "NASDAQ",
  ARCA: "ARCA",
  EDGEA: "EDGEA",
  ISLAND: "ISLAND",
  BATS: "BATS",
  IEX: "IEX",
  AMEX: "AMEX",
  TSE: "TSE",
  NYMEX: "NYMEX",
  COMEX: "COMEX",
  GLOBEX: "GLOBEX",
  IDEALPRO: "IDEALPRO",
  CME: "CME",
  ICE: "ICE",
  SEHK: "SEHK",
  HKFE: "HKFE",
  SGX: "SGX",
  CBOT: "CBOT",
  CBOE: "CBOE",
  CFE: "CFE",
  DME: "DME",
  EUREX: "EUX",
  APEX: "APEX",
  LME: "LME",
  BMD: "BMD",
  TOCOM: "TOCOM",
  EUNX: "EUNX",
  KRX: "KRX",
  OTC: "OTC",
  IBKRATS: "IBKRATS",
  // Crypto venues
  BINANCE: "BINANCE",
  OKX: "OKX",
  BYBIT: "BYBIT",
  BITGET: "BITGET",
  GATE: "GATE",
  KUCOIN: "KUCOIN",
  KRAKEN: "KRAKEN",
  COINBASE: "COINBASE",
  BITFINEX: "BITFINEX",
  HTX: "HTX",
  MEXC: "MEXC",
  DERIBIT: "DERIBIT",
  // Special
  /** The simulated paper exchange of tickwire (`src/gateways/sim`). */
  SIM: "SIM",
  /** Objects made locally (local stop orders, spreads, synthetic bars). */
  LOCAL: "LOCAL",
  GLOBAL: "GLOBAL",
} as const;
export type Exchange = (typeof Exchange)[keyof typeof Exchange];

/** Every exchange code, for validating input that crossed a process boundary. */
export const EXCHANGE_CODES: ReadonlySet<string> = new Set<string>(Object.values(Exchange));

/** Currency codes. */
export const Currency = {
  USD: "USD",
  HKD: "HKD",
  CNY: "CNY",
  CAD: "CAD",
  EUR: "EUR",
  USDT: "USDT",
} as const;
export type Currency = (typeof Currency)[keyof typeof Currency];

/** Bar interval. */
export const Interval = {
  MINUTE: "1m",
  HOUR: "1h",
  DAILY: "d",
  WEEKLY: "w",
  TICK: "tick",
} as const;
export type Interval = (typeof Interval)[keyof typeof Interval];

/** Log levels of `LogData`, lowest first. */
export const LogLevel = {
  DEBUG: "DEBUG",
  INFO: "INFO",
  WARNING: "WARNING",
  ERROR: "ERROR",
  CRITICAL: "CRITICAL",
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Connection state of a gateway, reported in `eGateway.` events. */
export const GatewayStatus = {
  CONNECTING: "CONNECTING",
  CONNECTED: "CONNECTED",
  /** Connected again after having been connected and then disconnected. */
  RECONNECTED: "RECONNECTED",
  DISCONNECTED: "DISCONNECTED",
} as const;
export type GatewayStatus = (typeof GatewayStatus)[keyof typeof GatewayStatus];
