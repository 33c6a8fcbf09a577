import type { Exchange as CcxtExchange } from "ccxt";
import { TickwireError } from "../../event/errors.js";
import { Product } from "../../trader/constants.js";
import { createContract } from "../../trader/objects.js";
import { TW_CCXT_BAD_OPTION, TW_CCXT_BAD_SYMBOL, mapCcxtError } from "./errors.js";
import type { CcxtSession } from "./session.js";
import type { CcxtSettings } from "./settings.js";
import { deepMerge, isRecord, num } from "./util.js";

type CcxtModule = typeof import("ccxt");

/** ccxt's precision modes (base/functions/number.js). */
const DECIMAL_PLACES = 2;
const TICK_SIZE = 4;

interface WsClientLike {
  future(messageHash: string): Promise<unknown>;
}

/**
 * ccxt pro rejects some futures that nobody awaits (binance's user-stream subscribe makes one
 * ahead of its request for concurrent callers; a refused connection rejects it): unhandled, such
 * a rejection would end the process. Every future of every client gets a no-op handler; callers
 * that await a future still see its rejection.
 */
function markFuturesHandled(ex: CcxtExchange): void {
  const target = ex as unknown as { client?: (url: string) => WsClientLike };
  if (typeof target.client !== "function") return;
  const original = target.client.bind(ex);
  const patched = new WeakSet<WsClientLike>();
  target.client = (url: string) => {
    const client = original(url);
    if (!patched.has(client)) {
      patched.add(client);
      const future = client.future.bind(client);
      client.future = (messageHash: string) => {
        const f = future(messageHash);
        f.catch(() => undefined);
        return f;
      };
    }
    return client;
  };
}

/** The ccxt (pro where there is one and `websocket` is on) exchange object for the settings: options, keys, sandbox, urls. */
export async function createExchange(mod: CcxtModule, cfg: CcxtSettings, secrets: string[]): Promise<CcxtExchange> {
  const pro = mod.pro as unknown as Record<string, unknown>;
  const rest = mod as unknown as Record<string, unknown>;
  const Cls = (cfg.websocket ? pro[cfg.exchange] : undefined) ?? rest[cfg.exchange];
  if (typeof Cls !== "function" || !Object.prototype.hasOwnProperty.call(mod.exchanges, cfg.exchange)) {
    throw new TickwireError(TW_CCXT_BAD_OPTION, `ccxt has no exchange "${cfg.exchange}": use a ccxt id such as binance, okx, bybit.`, {
      details: { setting: "exchange" },
    });
  }
  let options: Record<string, unknown> = { defaultType: cfg.marketType, fetchCurrencies: false };
  if (cfg.exchange === "binance") {
    options = {
      ...options,
      // Only the markets of the type traded; no margin pairs (sapi) and no warning on open orders across symbols.
      fetchMarkets: { types: [cfg.marketType === "spot" ? "spot" : "linear"] },
      fetchMargins: false,
      warnOnFetchOpenOrdersWithoutSymbol: false,
    };
  }
  options = deepMerge(options, cfg.options);
  const config: Record<string, unknown> = {
    enableRateLimit: cfg.enableRateLimit,
    // Watch calls return the whole cache: an update that arrived while no watch was pending is not lost.
    newUpdates: false,
    options,
  };
  if (cfg.rateLimit > 0) config.rateLimit = cfg.rateLimit;
  if (cfg.apiKey !== "") {
    config.apiKey = cfg.apiKey;
    config.secret = cfg.secret;
    if (cfg.password !== "") config.password = cfg.password;
  }
  const ex = new (Cls as new (c: Record<string, unknown>) => CcxtExchange)(config);
  markFuturesHandled(ex);
  if (cfg.sandbox) {
    try {
      ex.setSandboxMode(true);
    } catch (e) {
      throw mapCcxtError(e, `sandbox mode of ${cfg.exchange}`, secrets);
    }
  }
  if (cfg.urls) {
    ex.urls = deepMerge(ex.urls as Record<string, unknown>, cfg.urls) as typeof ex.urls;
    // ccxt asks for an explicit agent before it opens a plain ws:// socket (an emulator on loopback).
    if (JSON.stringify(cfg.urls).includes('"ws://')) await ex.loadHttpProxyAgent();
  }
  return ex;
}

/** Maps the exchange's active markets of the traded type (or of `symbols`) to contracts: added to the session and pushed. */
export function loadContracts(s: CcxtSession, ex: CcxtExchange, cfg: CcxtSettings): void {
  const map = s.map!;
  const wanted = new Set(cfg.symbols);
  const type = cfg.marketType;
  const tickOf = (p: number | undefined): number => {
    if (p === undefined) return 0;
    if (ex.precisionMode === TICK_SIZE) return p;
    if (ex.precisionMode === DECIMAL_PLACES) return 10 ** -p;
    return p;
  };
  for (const m of Object.values(ex.markets ?? {})) {
    if (!m || m.type !== type || m.active === false) continue;
    if (wanted.size > 0 && !wanted.has(m.symbol) && !wanted.has(m.id)) continue;
    const symbol = map.add({ symbol: m.symbol, id: m.id });
    const info = isRecord(m.info) ? m.info : {};
    const orderTypes = Array.isArray(info.orderTypes) ? (info.orderTypes as unknown[]) : undefined;
    const stopSupported = orderTypes
      ? orderTypes.includes("STOP_LOSS") || orderTypes.includes("STOP_MARKET")
      : Boolean(ex.has.createStopOrder || ex.has.createTriggerOrder);
    const contract = createContract({
      gatewayName: s.gw.gatewayName,
      symbol,
      exchange: map.exchange,
      name: m.symbol,
      product: m.spot ? Product.SPOT : m.swap ? Product.SWAP : m.future ? Product.FUTURES : m.option ? Product.OPTION : Product.SPOT,
      size: num(m.contractSize, 1) || 1,
      priceTick: tickOf(m.precision?.price),
      minVolume: tickOf(m.precision?.amount) || num(m.limits?.amount?.min, 1),
      maxVolume: m.limits?.amount?.max ?? null,
      stopSupported,
      netPosition: true,
      historyData: Boolean(ex.has.fetchOHLCV),
    });
    s.contracts.set(symbol, contract);
    s.gw.onContract(contract);
  }
  const missing = cfg.symbols.filter((sym) => !map.symbolOf(sym) && !map.unifiedOf(sym));
  if (missing.length > 0) {
    throw new TickwireError(
      TW_CCXT_BAD_SYMBOL,
      `${cfg.exchange} has no active ${type} market ${missing.join(", ")}: use unified symbols ("BTC/USDT") or the exchange's ids ("BTCUSDT").`,
      { details: { setting: "symbols" } },
    );
  }
}
