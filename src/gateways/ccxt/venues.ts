/**
 * The venues the ccxt gateway names, and the one mapping between ccxt's unified symbols
 * ("BTC/USDT", "BTC/USDT:USDT") and tickwire's vtSymbols ("BTCUSDT.BINANCE"). Everything that
 * turns one into the other goes through `SymbolMap`.
 */
import { Exchange } from "../../trader/constants.js";
import { ID_SEPARATOR } from "../../trader/ids.js";

/** ccxt exchange id → tickwire Exchange code, for the venues with a code of their own. */
export const CCXT_EXCHANGES: Readonly<Record<string, Exchange>> = {
  binance: Exchange.BINANCE,
  okx: Exchange.OKX,
  bybit: Exchange.BYBIT,
  bitget: Exchange.BITGET,
  gate: Exchange.GATE,
  kucoin: Exchange.KUCOIN,
  kraken: Exchange.KRAKEN,
  coinbase: Exchange.COINBASE,
  bitfinex: Exchange.BITFINEX,
  htx: Exchange.HTX,
  mexc: Exchange.MEXC,
  deribit: Exchange.DERIBIT,
};

/** The exchange code of ccxt exchange `id`, or undefined when tickwire has none for it. */
export function exchangeCodeOf(id: string): Exchange | undefined {
  return CCXT_EXCHANGES[id];
}

/** The part of a ccxt market the mapping needs. */
export interface MappedMarket {
  /** ccxt's unified symbol, e.g. "BTC/USDT". */
  symbol: string;
  /** The exchange's own id, e.g. "BTCUSDT" (Binance) or "BTC-USDT" (OKX). */
  id: string;
}

/**
 * Unified symbol ↔ tickwire symbol for one exchange. The tickwire symbol is the exchange's own
 * market id (what its users type: "BTCUSDT" on Binance), so `BTCUSDT.BINANCE` is the vtSymbol;
 * a market id with the id separator in it keeps its dots (vtSymbols split on the last one).
 */
export class SymbolMap {
  readonly exchange: Exchange;
  private readonly toUnified = new Map<string, string>();
  private readonly fromUnified = new Map<string, string>();

  constructor(exchange: Exchange) {
    this.exchange = exchange;
  }

  add(market: MappedMarket): string {
    const symbol = market.id;
    this.toUnified.set(symbol, market.symbol);
    this.fromUnified.set(market.symbol, symbol);
    return symbol;
  }

  /** The tickwire symbol of a unified symbol, or undefined when the market is not loaded. */
  symbolOf(unified: string): string | undefined {
    return this.fromUnified.get(unified);
  }

  /** The unified symbol of a tickwire symbol, or undefined when the market is not loaded. */
  unifiedOf(symbol: string): string | undefined {
    return this.toUnified.get(symbol);
  }

  vtSymbolOf(unified: string): string | undefined {
    const s = this.fromUnified.get(unified);
    return s === undefined ? undefined : s + ID_SEPARATOR + this.exchange;
  }

  get size(): number {
    return this.toUnified.size;
  }

  symbols(): string[] {
    return [...this.toUnified.keys()];
  }
}

/** An id from an exchange made safe for tickwire ids (no separator): dots become underscores. */
export function safeId(id: string): string {
  return id.includes(ID_SEPARATOR) ? id.split(ID_SEPARATOR).join("_") : id;
}

/**
 * The ccxt `urls` override that points binance spot (REST and WebSocket) at `base`
 * ("http://127.0.0.1:9000"): a local emulator or a proxy that speaks Binance's API.
 */
export function binanceUrlsAt(base: string): Record<string, unknown> {
  const http = base.replace(/\/+$/, "");
  const ws = http.replace(/^http/, "ws");
  return {
    api: {
      public: `${http}/api/v3`,
      private: `${http}/api/v3`,
      v1: `${http}/api/v1`,
      sapi: `${http}/sapi/v1`,
      ws: { spot: `${ws}/ws`, margin: `${ws}/ws`, "ws-api": { spot: `${ws}/ws-api/v3` } },
    },
  };
}
