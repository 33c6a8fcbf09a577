import { TickwireError } from "../../event/errors.js";
import { Exchange, Product } from "../../trader/constants.js";
import { assertExchange, assertSymbol, vtSymbolOf } from "../../trader/ids.js";

/** What the paper exchange needs to know about one instrument: its contract terms and how its market behaves. */
export interface SimInstrument {
  symbol: string;
  exchange: Exchange;
  name: string;
  product: Product;
  /** Minimum price increment; every price is a multiple of it. */
  priceTick: number;
  /** Contract multiplier: money per point per lot. */
  size: number;
  /** Minimum order volume; every order volume is a multiple of it. */
  minVolume: number;
  /** Price at the simulation's start time (the anchor of the random walk). */
  initialPrice: number;
  /** Annualized volatility of the geometric Brownian motion (0.3 = 30 %). */
  volatility: number;
  /** Annualized drift of the geometric Brownian motion. */
  drift: number;
  /** Margin per notional for futures; 1 for cash products (the full price is paid). */
  marginRate: number;
  /** Commission per notional traded (0.0001 = 1 basis point). */
  commissionRate: number;
  /** Daily price limit as a fraction of the previous close; 0 for none. */
  limitPct: number;
  /** Bid–ask spread in ticks. */
  spreadTicks: number;
  /** Typical volume per book level, in multiples of minVolume. */
  depth: number;
  /** Largest volume of one tick's trades, in multiples of minVolume. */
  tickLots: number;
  /** Typical open interest in lots; 0 for products without it. */
  openInterest: number;
  /** True for cash products: one NET position that cannot go short. False: long and short positions with offsets. */
  netPosition: boolean;
}

/** The instruments `tickwire run` trades by default: futures from two exchanges, a crypto pair and two stocks. */
export const DEFAULT_INSTRUMENTS: readonly SimInstrument[] = [
  {
    symbol: "rb2410",
    exchange: Exchange.SHFE,
    name: "Rebar 2410",
    product: Product.FUTURES,
    priceTick: 1,
    size: 10,
    minVolume: 1,
    initialPrice: 3600,
    volatility: 0.3,
    drift: 0,
    marginRate: 0.1,
    commissionRate: 0.0001,
    limitPct: 0.07,
    spreadTicks: 1,
    depth: 120,
    tickLots: 40,
    openInterest: 1_800_000,
    netPosition: false,
  },
  {
    symbol: "IF2412",
    exchange: Exchange.CFFEX,
    name: "CSI 300 Index Future 2412",
    product: Product.FUTURES,
    priceTick: 0.2,
    size: 300,
    minVolume: 1,
    initialPrice: 3900,
    volatility: 0.25,
    drift: 0,
    marginRate: 0.12,
    commissionRate: 0.000023,
    limitPct: 0.1,
    spreadTicks: 1,
    depth: 6,
    tickLots: 5,
    openInterest: 250_000,
    netPosition: false,
  },
  {
    symbol: "BTCUSDT",
    exchange: Exchange.BINANCE,
    name: "Bitcoin / Tether",
    product: Product.SPOT,
    priceTick: 0.01,
    size: 1,
    minVolume: 0.001,
    initialPrice: 65000,
    volatility: 0.6,
    drift: 0,
    marginRate: 1,
    commissionRate: 0.001,
    limitPct: 0,
    spreadTicks: 1,
    depth: 900,
    tickLots: 300,
    openInterest: 0,
    netPosition: true,
  },
  {
    symbol: "600519",
    exchange: Exchange.SSE,
    name: "Kweichow Moutai",
    product: Product.EQUITY,
    priceTick: 0.01,
    size: 1,
    minVolume: 100,
    initialPrice: 1700,
    volatility: 0.3,
    drift: 0,
    marginRate: 1,
    commissionRate: 0.0003,
    limitPct: 0.1,
    spreadTicks: 2,
    depth: 8,
    tickLots: 6,
    openInterest: 0,
    netPosition: true,
  },
  {
    symbol: "AAPL",
    exchange: Exchange.NASDAQ,
    name: "Apple Inc.",
    product: Product.EQUITY,
    priceTick: 0.01,
    size: 1,
    minVolume: 1,
    initialPrice: 190,
    volatility: 0.28,
    drift: 0,
    marginRate: 1,
    commissionRate: 0.00005,
    limitPct: 0,
    spreadTicks: 1,
    depth: 400,
    tickLots: 200,
    openInterest: 0,
    netPosition: true,
  },
];

export function instrumentVtSymbol(i: SimInstrument): string {
  return vtSymbolOf(i.symbol, i.exchange);
}

function positive(i: SimInstrument, field: keyof SimInstrument): void {
  const v = i[field];
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new TickwireError("TW_SIM_BAD_INSTRUMENT", `Instrument ${i.symbol}: ${field} must be a positive number, got ${String(v)}.`, {
      details: { symbol: i.symbol, field },
    });
  }
}

function nonNegative(i: SimInstrument, field: keyof SimInstrument): void {
  const v = i[field];
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new TickwireError("TW_SIM_BAD_INSTRUMENT", `Instrument ${i.symbol}: ${field} must be a number >= 0, got ${String(v)}.`, {
      details: { symbol: i.symbol, field },
    });
  }
}

/** Throws TW_SIM_BAD_INSTRUMENT (or TW_TRADER_INVALID_ID) naming the field that is wrong. */
export function validateInstrument(i: SimInstrument): void {
  assertSymbol(i.symbol);
  assertExchange(i.exchange);
  for (const f of ["priceTick", "size", "minVolume", "initialPrice", "marginRate", "spreadTicks", "depth", "tickLots"] as const) positive(i, f);
  for (const f of ["volatility", "commissionRate", "limitPct", "openInterest"] as const) nonNegative(i, f);
  if (!Number.isFinite(i.drift)) nonNegative(i, "drift");
  if (i.limitPct >= 1) {
    throw new TickwireError("TW_SIM_BAD_INSTRUMENT", `Instrument ${i.symbol}: limitPct is a fraction (0.1 = 10 %), got ${i.limitPct}.`);
  }
}

/**
 * Picks instruments from `catalog` by vtSymbol ("rb2410.SHFE,BTCUSDT.BINANCE"); throws
 * TW_SIM_UNKNOWN_INSTRUMENT listing the known ones when a name is not in it.
 */
export function selectInstruments(vtSymbols: readonly string[], catalog: readonly SimInstrument[] = DEFAULT_INSTRUMENTS): SimInstrument[] {
  const byName = new Map(catalog.map((i) => [instrumentVtSymbol(i), i]));
  return vtSymbols.map((s) => {
    const found = byName.get(s.trim());
    if (!found) {
      throw new TickwireError("TW_SIM_UNKNOWN_INSTRUMENT", `Unknown instrument "${s}". Choose from: ${[...byName.keys()].join(", ")}.`, {
        details: { vtSymbol: s },
      });
    }
    return found;
  });
}
