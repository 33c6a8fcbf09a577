/**
 * The gateway of `tickwire run`: the paper exchange (default) or a real exchange through ccxt
 * (`--gateway ccxt --exchange binance [--sandbox]`, keys from TICKWIRE_CCXT_KEY / TICKWIRE_CCXT_SECRET
 * or TICKWIRE_CCXT_KEY_FILE). The ccxt gateway module (and ccxt) is loaded only when chosen.
 */
import { InvalidArgumentError } from "commander";
import { SimGateway } from "../gateways/sim/SimGateway.js";
import type { MainEngine } from "../trader/MainEngine.js";
import type { Exchange } from "../trader/constants.js";

export interface GatewayOptions {
  gateway?: string;
  exchange?: string;
  sandbox?: boolean;
  marketType?: string;
  ccxtSymbols?: string;
  /** Hidden: the base URL of a Binance-compatible endpoint (the test emulator). */
  ccxtUrl?: string;
  seed: number;
  tickRate: number;
  instruments?: string;
  capital: number;
  start?: number;
}

export interface RunGateway {
  gatewayName: string;
  /** What to subscribe to. */
  instruments: Array<{ symbol: string; exchange: Exchange; vtSymbol: string }>;
  /** A few words for the title of the view ("paper exchange, seed 1", "binance sandbox"). */
  label: string;
  /** True for the paper exchange: demonstration orders are only placed there. */
  paper: boolean;
}

/** The symbols loaded from an exchange when --ccxt-symbols is not given (a whole exchange is thousands). */
export const DEFAULT_CCXT_SYMBOLS = "BTC/USDT,ETH/USDT";

export function gatewayChoice(value: string): string {
  const v = value.toLowerCase();
  if (v !== "sim" && v !== "ccxt") throw new InvalidArgumentError('expected "sim" (the paper exchange) or "ccxt" (a crypto exchange through ccxt)');
  return v;
}

export async function connectRunGateway(main: MainEngine, opts: GatewayOptions): Promise<RunGateway> {
  if ((opts.gateway ?? "sim") === "sim") {
    const gateway = main.addGateway(SimGateway);
    await main.connect(
      { seed: opts.seed, tickRate: opts.tickRate, capital: opts.capital, instruments: opts.instruments ?? "", startTime: opts.start ?? 0 },
      gateway.gatewayName,
    );
    const instruments = gateway.connected
      ? gateway.exchange.markets.map((m) => ({ symbol: m.instrument.symbol, exchange: m.instrument.exchange, vtSymbol: m.vtSymbol }))
      : [];
    return { gatewayName: gateway.gatewayName, instruments, label: `paper exchange, seed ${opts.seed}`, paper: true };
  }
  const [{ CcxtGateway }, { binanceUrlsAt }] = await Promise.all([import("../gateways/ccxt/CcxtGateway.js"), import("../gateways/ccxt/venues.js")]);
  const exchange = (opts.exchange ?? "binance").toLowerCase();
  const gateway = main.addGateway(CcxtGateway, exchange.toUpperCase());
  await main.connect(
    {
      exchange,
      sandbox: opts.sandbox ?? false,
      marketType: opts.marketType ?? "spot",
      symbols: opts.ccxtSymbols ?? DEFAULT_CCXT_SYMBOLS,
      ...(opts.ccxtUrl ? { urls: binanceUrlsAt(opts.ccxtUrl) } : {}),
    },
    gateway.gatewayName,
  );
  const instruments = gateway.getContracts().map((c) => ({ symbol: c.symbol, exchange: c.exchange, vtSymbol: c.vtSymbol }));
  return { gatewayName: gateway.gatewayName, instruments, label: `${exchange}${opts.sandbox ? " sandbox" : ""} via ccxt`, paper: false };
}
