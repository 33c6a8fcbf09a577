import type { Balances, Exchange as CcxtExchange, Market, Order as CcxtOrder, OrderBook, Position, Ticker, Trade as CcxtTrade } from "ccxt";
import { TickwireError } from "../../event/errors.js";
import { BaseGateway, type GatewaySetting, type TraderEventEngine } from "../../trader/BaseGateway.js";
import { ACTIVE_STATUSES, Direction, Exchange, Interval, LogLevel, OrderType, Product, Status } from "../../trader/constants.js";
import {
  createAccount,
  createBar,
  createContract,
  createOrderData,
  createPosition,
  createTick,
  createTrade,
  type BarData,
  type CancelRequest,
  type ContractData,
  type HistoryRequest,
  type OrderData,
  type OrderRequest,
  type SubscribeRequest,
  type TickInit,
} from "../../trader/objects.js";
import { orderValueProblem } from "../../trader/requestChecks.js";
import {
  TW_CCXT_BAD_OPTION,
  TW_CCXT_BAD_SYMBOL,
  TW_CCXT_NETWORK,
  TW_CCXT_NOT_CONNECTED,
  TW_CCXT_ORDER_NOT_FOUND,
  TW_CCXT_RATE_LIMIT,
  TW_CCXT_REJECTED,
  mapCcxtError,
  redact,
} from "./errors.js";
import { DEFAULT_CCXT_SETTING, parseCcxtSettings, type CcxtSettings } from "./settings.js";
import { CCXT_EXCHANGES, SymbolMap, exchangeCodeOf, safeId } from "./venues.js";

type CcxtModule = typeof import("ccxt");
let ccxtModule: Promise<CcxtModule> | undefined;

/** ccxt, imported on first use (it is big): importing this module does not load it. */
export function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import("ccxt");
  return ccxtModule;
}

/** ccxt's precision modes (base/functions/number.js). */
const DECIMAL_PLACES = 2;
const TICK_SIZE = 4;
const BOOK_LEVELS = 5;
/** Trades whose order is not known yet (a fill can arrive before the order's own update) wait at most this many. */
const MAX_PENDING_TRADES = 10_000;

interface OrderState {
  data: OrderData;
  unified: string;
  exchangeId: string | undefined;
  /** The order was sent in this session and its fate is unknown (a network error on create). */
  unknownFate: boolean;
  cancelWanted: boolean;
}

interface MarketState {
  symbol: string;
  unified: string;
  ticker: Ticker | undefined;
  book: OrderBook | undefined;
  /** Last stream update, epoch ms. */
  lastUpdate: number;
  lastPoll: number;
  stale: boolean;
}

/** The state of one market stream, for inspection. */
export interface MarketStreamState {
  vtSymbol: string;
  websocket: boolean;
  stale: boolean;
  lastUpdate: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isRecord(v) && isRecord(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

function num(v: unknown, fallback = 0): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

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

const TIMEFRAMES: Partial<Record<Interval, string>> = {
  [Interval.MINUTE]: "1m",
  [Interval.HOUR]: "1h",
  [Interval.DAILY]: "1d",
  [Interval.WEEKLY]: "1w",
};

/**
 * A gateway to a crypto exchange through ccxt (REST) and ccxt pro (WebSocket): contracts from the
 * exchange's markets, ticks from the ticker and order book streams (REST polling where there is
 * no stream, or while it is down or stale), LIMIT / MARKET / STOP orders with FAK / FOK as time
 * in force, client order ids (the tickwire orderid IS the client order id, so an order is found
 * again after a reconnect), order and trade updates from the private stream with REST
 * reconciliation after every reconnect (trades deduped by id), balances as one account per
 * currency, and positions for swaps.
 *
 * Settings: see `CcxtSettings` (exchange, apiKey / secret or keyFile or TICKWIRE_CCXT_KEY /
 * TICKWIRE_CCXT_SECRET, sandbox, marketType, symbols, rate-limit and reconnect options, urls).
 */
export class CcxtGateway extends BaseGateway {
  static override readonly defaultName: string = "CCXT";
  static override readonly defaultSetting: GatewaySetting = DEFAULT_CCXT_SETTING;
  static override readonly exchanges: readonly Exchange[] = Object.values(CCXT_EXCHANGES);

  private ex: CcxtExchange | undefined;
  private cfg: CcxtSettings | undefined;
  private map: SymbolMap | undefined;
  private secrets: string[] = [];
  /** Bumped by connect and close: loops of an older session stop. */
  private gen = 0;
  private readonly contracts = new Map<string, ContractData>();
  private readonly marketsBySymbol = new Map<string, Market>();
  private readonly marketState = new Map<string, MarketState>();
  private readonly orders = new Map<string, OrderState>();
  private readonly byExchangeId = new Map<string, string>();
  private readonly tradeIds = new Set<string>();
  private readonly pendingTrades = new Map<string, CcxtTrade[]>();
  private pendingTradeCount = 0;
  private readonly downStreams = new Map<string, string>();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private restPausedUntil = 0;
  private orderCounter = 0;
  private readonly idStamp = Date.now().toString(36);
  /** Trades since this time are asked for on the next reconciliation. */
  private tradeSyncFrom = 0;
  private reconciling: Promise<void> | undefined;
  /** While the private stream is being re-established, the other private watches wait here (one subscriber at a time). */
  private privateGate: { promise: Promise<void>; open: () => void } | undefined;
  /** Ticks pushed (for benchmarks and inspection). */
  ticksPushed = 0;

  constructor(eventEngine: TraderEventEngine, gatewayName?: string) {
    super(eventEngine, gatewayName);
  }

  /** The ccxt exchange object (for inspection and tests); throws before connect. */
  get exchange(): CcxtExchange {
    if (!this.ex) throw new TickwireError(TW_CCXT_NOT_CONNECTED, `Gateway ${this.gatewayName} is not connected: call connect() (or MainEngine.connect) first.`);
    return this.ex;
  }

  get connected(): boolean {
    return this.ex !== undefined;
  }

  /** The contracts loaded by connect. */
  getContracts(): ContractData[] {
    return [...this.contracts.values()];
  }

  /** The state of each subscribed market stream. */
  marketStreams(): MarketStreamState[] {
    const ws = this.useWebsocket();
    return [...this.marketState.values()].map((m) => ({
      vtSymbol: `${m.symbol}.${this.map!.exchange}`,
      websocket: ws,
      stale: m.stale,
      lastUpdate: m.lastUpdate,
    }));
  }

  // ------------------------------------------------------------------ connect / close

  async connect(setting: GatewaySetting = {}): Promise<void> {
    if (this.ex) await this.close();
    this.onConnecting();
    const gen = ++this.gen;
    let cfg: CcxtSettings;
    try {
      cfg = parseCcxtSettings(setting);
    } catch (e) {
      this.onDisconnected(e instanceof Error ? e.message : String(e));
      throw e;
    }
    this.cfg = cfg;
    this.secrets = [cfg.apiKey, cfg.secret, cfg.password].filter((s) => s !== "");
    const code = exchangeCodeOf(cfg.exchange);
    let ex: CcxtExchange;
    try {
      if (!code) {
        throw new TickwireError(
          TW_CCXT_BAD_OPTION,
          `Exchange "${cfg.exchange}" has no tickwire exchange code: use one of ${Object.keys(CCXT_EXCHANGES).join(", ")} (add a code to Exchange and CCXT_EXCHANGES for another).`,
          { details: { setting: "exchange" } },
        );
      }
      this.map = new SymbolMap(code);
      ex = await this.createExchange(cfg);
      this.ex = ex;
      await ex.loadMarkets();
    } catch (e) {
      const err = mapCcxtError(e, `connect to ${cfg.exchange}`, this.secrets);
      this.onDisconnected(err.message);
      await this.close();
      throw err;
    }
    try {
      this.loadContracts(ex, cfg);
      if (this.hasKeys()) {
        await this.queryAccount();
        await this.queryPosition();
        const open = await this.fetchOpenOrders();
        for (const o of open) this.applyOrder(o);
      }
    } catch (e) {
      const err = mapCcxtError(e, `connect to ${cfg.exchange}`, this.secrets);
      // Reported with the reason first; close's own "closed" is then no news.
      this.onDisconnected(err.message);
      await this.close();
      throw err;
    }
    this.tradeSyncFrom = Date.now();
    this.onConnected(
      `${cfg.exchange}${cfg.sandbox ? " (sandbox)" : ""} ${cfg.marketType}: ${this.contracts.size} contracts${this.hasKeys() ? "" : ", market data only (no API key)"}`,
    );
    this.writeLog(
      `Connected to ${cfg.exchange}${cfg.sandbox ? " sandbox" : ""}: ${this.contracts.size} ${cfg.marketType} contracts, ${this.useWebsocket() ? "WebSocket streams" : "REST polling"}.`,
    );
    if (this.hasKeys()) this.startPrivate(gen);
    if (cfg.staleAfterMs > 0 && this.useWebsocket()) {
      const t = setInterval(() => this.checkStale(gen), Math.max(20, Math.floor(cfg.staleAfterMs / 2)));
      t.unref();
      this.timers.push(t);
    }
    if (cfg.reconcileIntervalMs > 0 && this.hasKeys()) {
      const t = setInterval(() => void this.reconcileFor("periodic check", gen, false), cfg.reconcileIntervalMs);
      t.unref();
      this.timers.push(t);
    }
  }

  async close(): Promise<void> {
    this.gen++;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const ex = this.ex;
    this.ex = undefined;
    this.marketState.clear();
    this.downStreams.clear();
    const g = this.privateGate;
    this.privateGate = undefined;
    g?.open();
    if (ex) {
      try {
        await ex.close();
      } catch {
        // Closing ends the sockets; an error here has nothing left to clean.
      }
      this.onDisconnected("closed");
    }
  }

  private async createExchange(cfg: CcxtSettings): Promise<CcxtExchange> {
    const mod = await loadCcxt();
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
        throw mapCcxtError(e, `sandbox mode of ${cfg.exchange}`, this.secrets);
      }
    }
    if (cfg.urls) {
      ex.urls = deepMerge(ex.urls as Record<string, unknown>, cfg.urls) as typeof ex.urls;
      // ccxt asks for an explicit agent before it opens a plain ws:// socket (an emulator on loopback).
      if (JSON.stringify(cfg.urls).includes('"ws://')) await ex.loadHttpProxyAgent();
    }
    return ex;
  }

  private loadContracts(ex: CcxtExchange, cfg: CcxtSettings): void {
    const map = this.map!;
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
        gatewayName: this.gatewayName,
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
      this.contracts.set(symbol, contract);
      this.marketsBySymbol.set(symbol, m);
      this.onContract(contract);
    }
    const missing = cfg.symbols.filter((s) => !map.symbolOf(s) && !map.unifiedOf(s));
    if (missing.length > 0) {
      throw new TickwireError(
        TW_CCXT_BAD_SYMBOL,
        `${cfg.exchange} has no active ${type} market ${missing.join(", ")}: use unified symbols ("BTC/USDT") or the exchange's ids ("BTCUSDT").`,
        { details: { setting: "symbols" } },
      );
    }
  }

  private hasKeys(): boolean {
    return this.cfg !== undefined && this.cfg.apiKey !== "";
  }

  private useWebsocket(): boolean {
    const ex = this.ex;
    return Boolean(this.cfg?.websocket && ex && ex.has.watchTicker && ex.has.watchOrderBook);
  }

  // ------------------------------------------------------------------ connection state

  private streamDown(name: string, why: string): void {
    const first = this.downStreams.size === 0;
    this.downStreams.set(name, why);
    this.writeLog(`Stream ${name} lost: ${why}; reconnecting with backoff.`, LogLevel.WARNING);
    if (first) this.onDisconnected(`${name}: ${why}`);
  }

  private streamUp(name: string): void {
    if (!this.downStreams.delete(name)) return;
    this.writeLog(`Stream ${name} back.`);
    if (this.downStreams.size === 0) this.onConnected(`${name} reconnected`);
  }

  /**
   * Runs `step` over and over while the session lasts. After a failure it waits (exponential
   * backoff), calls `onDown` each round (a REST fallback), and `recover` before the next step
   * (re-subscribe, reconcile); the stream counts as back once `recover` (or, without one, a step) succeeds.
   */
  private async runLoop(
    name: string,
    gen: number,
    step: () => Promise<void>,
    hooks: { onDown?: () => Promise<void>; recover?: () => Promise<void>; silent?: boolean; onFail?: () => void; onBack?: () => void } = {},
  ): Promise<void> {
    const cfg = this.cfg!;
    let delay = cfg.reconnectMinMs;
    let failed = false;
    while (this.gen === gen) {
      try {
        if (failed && hooks.recover) {
          await hooks.recover();
          if (this.gen !== gen) return;
          failed = false;
          delay = cfg.reconnectMinMs;
          if (!hooks.silent) this.streamUp(name);
          hooks.onBack?.();
        }
        await step();
        if (failed) {
          failed = false;
          delay = cfg.reconnectMinMs;
          if (!hooks.silent) this.streamUp(name);
          hooks.onBack?.();
        }
      } catch (e) {
        if (this.gen !== gen) return;
        const err = mapCcxtError(e, name, this.secrets);
        if (!failed) {
          failed = true;
          const why = `${err.code}: ${redact(e instanceof Error ? e.message : String(e), this.secrets)}`;
          if (hooks.silent) this.writeLog(`${name}: ${why}; retrying.`, LogLevel.DEBUG);
          else this.streamDown(name, why);
          hooks.onFail?.();
        }
        if (err.code === TW_CCXT_RATE_LIMIT) this.pauseRest();
        if (hooks.onDown) await hooks.onDown().catch(() => undefined);
        await sleep(delay + Math.floor(Math.random() * delay * 0.2));
        delay = Math.min(delay * 2, cfg.reconnectMaxMs);
      }
    }
  }

  private pauseRest(): void {
    const until = Date.now() + this.cfg!.rateLimitCooldownMs;
    if (until > this.restPausedUntil) {
      this.restPausedUntil = until;
      this.writeLog(
        `Rate limited by ${this.cfg!.exchange}: no requests of the gateway's own for ${this.cfg!.rateLimitCooldownMs} ms, orders are refused meanwhile.`,
        LogLevel.WARNING,
      );
    }
  }

  /** Waits out a rate-limit pause. */
  private async restReady(): Promise<void> {
    const wait = this.restPausedUntil - Date.now();
    if (wait > 0) await sleep(wait);
  }

  // ------------------------------------------------------------------ market data

  subscribe(req: SubscribeRequest): void {
    const ex = this.exchange;
    const unified = this.map!.unifiedOf(req.symbol);
    if (!unified || req.exchange !== this.map!.exchange) {
      throw new TickwireError(
        TW_CCXT_BAD_SYMBOL,
        `${req.vtSymbol} is not a contract of gateway ${this.gatewayName}: subscribe to one it loaded (e.g. ${this.map!.symbols()
          .slice(0, 3)
          .map((s) => `${s}.${this.map!.exchange}`)
          .join(", ")}).`,
      );
    }
    if (this.marketState.has(req.symbol)) return;
    const state: MarketState = { symbol: req.symbol, unified, ticker: undefined, book: undefined, lastUpdate: Date.now(), lastPoll: 0, stale: false };
    this.marketState.set(req.symbol, state);
    const gen = this.gen;
    if (!this.useWebsocket()) {
      void this.runLoop(`poll ${req.vtSymbol}`, gen, async () => {
        await this.restReady();
        await this.pollMarket(state);
        await sleep(this.cfg!.pollIntervalMs);
      });
      return;
    }
    const tickerParams: Record<string, unknown> = this.cfg!.exchange === "binance" ? { name: "ticker" } : {};
    const onDown = () => this.pollMarket(state);
    void this.runLoop(
      `ticker ${req.vtSymbol}`,
      gen,
      async () => {
        const t = await ex.watchTicker(unified, tickerParams);
        if (this.gen !== gen) return;
        // The watch resolves with the ticker of the frame that found it pending; frames parsed in the
        // same read since then are in ccxt's cache: take the latest (the book is updated in place).
        state.ticker = (ex.tickers as Record<string, Ticker | undefined>)[unified] ?? t;
        this.onStreamUpdate(state);
      },
      { onDown },
    );
    void this.runLoop(
      `book ${req.vtSymbol}`,
      gen,
      async () => {
        const b = await ex.watchOrderBook(unified, BOOK_LEVELS);
        if (this.gen !== gen) return;
        state.book = b;
        this.onStreamUpdate(state);
      },
      { onDown },
    );
  }

  private onStreamUpdate(state: MarketState): void {
    state.lastUpdate = Date.now();
    if (state.stale) {
      state.stale = false;
      this.writeLog(`Market stream of ${state.symbol}.${this.map!.exchange} updates again.`);
    }
    this.pushTick(state);
  }

  /** One REST poll of ticker and top-5 book (fallback and polling mode); at most once per poll interval. */
  private async pollMarket(state: MarketState): Promise<void> {
    const ex = this.ex;
    if (!ex || Date.now() < this.restPausedUntil) return;
    if (Date.now() - state.lastPoll < this.cfg!.pollIntervalMs / 2) return;
    state.lastPoll = Date.now();
    try {
      const [t, b] = await Promise.all([ex.fetchTicker(state.unified), ex.fetchOrderBook(state.unified, BOOK_LEVELS)]);
      state.ticker = t;
      state.book = b;
      this.pushTick(state);
    } catch (e) {
      const err = mapCcxtError(e, `poll ${state.unified}`, this.secrets);
      if (err.code === TW_CCXT_RATE_LIMIT) this.pauseRest();
      this.writeLog(err.message, LogLevel.DEBUG);
    }
  }

  private checkStale(gen: number): void {
    if (this.gen !== gen) return;
    const after = this.cfg!.staleAfterMs;
    const now = Date.now();
    for (const state of this.marketState.values()) {
      if (now - state.lastUpdate < after) continue;
      if (!state.stale) {
        state.stale = true;
        this.writeLog(
          `Market stream of ${state.symbol}.${this.map!.exchange} is stale: no update for ${now - state.lastUpdate} ms (limit ${after} ms); polling REST until it updates again.`,
          LogLevel.WARNING,
        );
      }
      void this.pollMarket(state);
    }
  }

  private pushTick(state: MarketState): void {
    const t = state.ticker;
    const b = state.book;
    const init: TickInit = {
      gatewayName: this.gatewayName,
      symbol: state.symbol,
      exchange: this.map!.exchange,
      datetime: Math.max(num(t?.timestamp), num(b?.timestamp)) || Date.now(),
      name: state.unified,
    };
    if (t) {
      init.volume = num(t.baseVolume);
      init.turnover = num(t.quoteVolume);
      init.lastPrice = num(t.last);
      init.openPrice = num(t.open);
      init.highPrice = num(t.high);
      init.lowPrice = num(t.low);
      init.preClose = num(t.previousClose);
      init.bidPrice1 = num(t.bid);
      init.askPrice1 = num(t.ask);
      init.bidVolume1 = num(t.bidVolume);
      init.askVolume1 = num(t.askVolume);
    }
    if (b) {
      const fields = init as unknown as Record<string, number>;
      for (let i = 0; i < BOOK_LEVELS; i++) {
        const bid = b.bids[i];
        const ask = b.asks[i];
        if (bid) {
          fields[`bidPrice${i + 1}`] = num(bid[0]);
          fields[`bidVolume${i + 1}`] = num(bid[1]);
        }
        if (ask) {
          fields[`askPrice${i + 1}`] = num(ask[0]);
          fields[`askVolume${i + 1}`] = num(ask[1]);
        }
      }
    }
    this.ticksPushed++;
    this.onTick(createTick(init));
  }

  // ------------------------------------------------------------------ orders

  private newOrderId(): string {
    // The client order id: [a-zA-Z0-9] only, unique across sessions (a time stamp) and within one (a counter).
    this.orderCounter++;
    return `tw${this.idStamp}x${this.orderCounter.toString(36)}`;
  }

  sendOrder(req: OrderRequest): string {
    const orderid = this.newOrderId();
    const order = createOrderData(req, orderid, this.gatewayName);
    const contract = this.contracts.get(req.symbol);
    const unified = this.map?.unifiedOf(req.symbol);
    const reject = (why: string): string => {
      const rejected = { ...order, status: Status.REJECTED, statusMsg: why };
      this.orders.set(orderid, { data: rejected, unified: unified ?? req.symbol, exchangeId: undefined, unknownFate: false, cancelWanted: false });
      this.onOrder(rejected);
      this.writeLog(`Order ${order.vtOrderid} rejected: ${why}`, LogLevel.WARNING);
      return order.vtOrderid;
    };
    if (!this.ex) return reject(`${TW_CCXT_NOT_CONNECTED}: the gateway is not connected`);
    if (!contract || !unified || req.exchange !== this.map!.exchange)
      return reject(`${TW_CCXT_BAD_SYMBOL}: ${req.vtSymbol} is not a contract of ${this.gatewayName}`);
    if (!this.hasKeys()) return reject(`${TW_CCXT_BAD_OPTION}: no API key: connect with apiKey and secret to trade`);
    const p = orderValueProblem(req, contract, req.vtSymbol);
    if (p) return reject(`${TW_CCXT_REJECTED}: ${p.reason}`);
    if (req.type === OrderType.STOP && !contract.stopSupported) return reject(`${TW_CCXT_REJECTED}: STOP orders are not supported on ${req.vtSymbol}`);
    const wait = this.restPausedUntil - Date.now();
    if (wait > 0) return reject(`${TW_CCXT_RATE_LIMIT}: rate limited by ${this.cfg!.exchange}; no orders for another ${wait} ms`);
    const state: OrderState = { data: order, unified, exchangeId: undefined, unknownFate: false, cancelWanted: false };
    this.orders.set(orderid, state);
    this.onOrder(order);
    void this.placeOrder(state, req, this.gen);
    return order.vtOrderid;
  }

  private async placeOrder(state: OrderState, req: OrderRequest, gen: number): Promise<void> {
    const ex = this.ex!;
    const side = req.direction === Direction.LONG ? "buy" : "sell";
    const params: Record<string, unknown> = { clientOrderId: state.data.orderid };
    let type: "limit" | "market" = "limit";
    let price: number | undefined = req.price;
    switch (req.type) {
      case OrderType.LIMIT:
        params.timeInForce = "GTC";
        break;
      case OrderType.FAK:
        params.timeInForce = "IOC";
        break;
      case OrderType.FOK:
        params.timeInForce = "FOK";
        break;
      case OrderType.MARKET:
        type = "market";
        price = undefined;
        break;
      case OrderType.STOP:
        // A stop is a market order triggered at the price (Binance spot: STOP_LOSS).
        type = "market";
        params.triggerPrice = req.price;
        price = undefined;
        break;
    }
    try {
      const o = await ex.createOrder(state.unified, type, side, req.volume, price, params);
      if (this.gen !== gen) return;
      this.applyOrder(o, state);
    } catch (e) {
      if (this.gen !== gen) return;
      const err = mapCcxtError(e, `createOrder ${req.vtSymbol}`, this.secrets);
      if (err.code === TW_CCXT_RATE_LIMIT) this.pauseRest();
      if (err.code === TW_CCXT_NETWORK) {
        // The request may have reached the exchange: find the order by its client id before calling it rejected.
        state.unknownFate = true;
        this.writeLog(`Order ${state.data.vtOrderid}: ${err.message}; looking it up by its client order id.`, LogLevel.WARNING);
        await sleep(this.cfg!.reconnectMinMs);
        await this.resolveUnknown(state, gen);
        return;
      }
      this.updateOrder(state, { status: Status.REJECTED, statusMsg: `${err.code}: ${err.message}` });
      this.writeLog(`Order ${state.data.vtOrderid} rejected: ${err.code}: ${err.message}`, LogLevel.WARNING);
    }
  }

  /** Looks up an order whose create failed on the network: found → its state; not found → REJECTED. */
  private async resolveUnknown(state: OrderState, gen: number): Promise<void> {
    const ex = this.ex;
    if (!ex || this.gen !== gen || !state.unknownFate) return;
    try {
      await this.restReady();
      const o = await ex.fetchOrder(undefined as unknown as string, state.unified, { clientOrderId: state.data.orderid });
      state.unknownFate = false;
      this.applyOrder(o, state);
    } catch (e) {
      const err = mapCcxtError(e, `fetchOrder ${state.data.vtOrderid}`, this.secrets);
      if (err.code === TW_CCXT_ORDER_NOT_FOUND || err.code === TW_CCXT_REJECTED) {
        state.unknownFate = false;
        this.updateOrder(state, { status: Status.REJECTED, statusMsg: `${TW_CCXT_NETWORK}: the order did not reach the exchange` });
      }
      // Otherwise still unknown: the next reconciliation asks again.
    }
  }

  cancelOrder(req: CancelRequest): void {
    const state = this.orders.get(req.orderid);
    if (!state) {
      this.writeLog(`Cannot cancel ${req.orderid}: not an order of gateway ${this.gatewayName}.`, LogLevel.WARNING);
      return;
    }
    if (!ACTIVE_STATUSES.has(state.data.status)) return;
    state.cancelWanted = true;
    // Not acknowledged yet: cancelled as soon as the exchange's id is known (applyOrder).
    if (state.exchangeId === undefined) return;
    void this.doCancel(state, this.gen);
  }

  private async doCancel(state: OrderState, gen: number): Promise<void> {
    const ex = this.ex;
    if (!ex || state.exchangeId === undefined) return;
    state.cancelWanted = false;
    try {
      const o = await ex.cancelOrder(state.exchangeId, state.unified);
      if (this.gen !== gen) return;
      // Some exchanges answer a cancel with a bare acknowledgement: then the order stays as it is until its update.
      if (o && typeof o.status === "string") this.applyOrder(o, state);
    } catch (e) {
      if (this.gen !== gen) return;
      const err = mapCcxtError(e, `cancelOrder ${state.data.vtOrderid}`, this.secrets);
      if (err.code === TW_CCXT_RATE_LIMIT) this.pauseRest();
      this.writeLog(`Cancel of ${state.data.vtOrderid} failed: ${err.code}: ${err.message}`, LogLevel.WARNING);
      // Typically filled or cancelled meanwhile: ask for the order's state.
      void this.refreshOrder(state, gen);
    }
  }

  private async refreshOrder(state: OrderState, gen: number): Promise<void> {
    const ex = this.ex;
    if (!ex || state.exchangeId === undefined) return;
    try {
      await this.restReady();
      const o = await ex.fetchOrder(state.exchangeId, state.unified);
      if (this.gen === gen) this.applyOrder(o, state);
    } catch (e) {
      this.writeLog(mapCcxtError(e, `fetchOrder ${state.data.vtOrderid}`, this.secrets).message, LogLevel.DEBUG);
    }
  }

  private updateOrder(state: OrderState, change: Partial<OrderData>): void {
    const next = { ...state.data, ...change, datetime: change.datetime ?? Date.now() };
    state.data = next;
    this.onOrder(next);
  }

  /** The tickwire status of a ccxt order. */
  private statusOf(o: CcxtOrder): Status | undefined {
    const filled = num(o.filled);
    switch (o.status) {
      case "open":
        return filled > 0 ? Status.PARTTRADED : Status.NOTTRADED;
      case "closed":
        return Status.ALLTRADED;
      case "canceled":
      case "cancelled":
      case "expired":
        return Status.CANCELLED;
      case "rejected":
        return Status.REJECTED;
      default:
        return undefined;
    }
  }

  /** Applies a ccxt order (from a create answer, the stream or REST) to its state; pushes only changes, never backwards. */
  private applyOrder(o: CcxtOrder, known?: OrderState): void {
    let state = known;
    const clientId = typeof o.clientOrderId === "string" ? o.clientOrderId : undefined;
    if (!state && clientId) state = this.orders.get(clientId);
    if (!state && o.id) {
      const id = this.byExchangeId.get(String(o.id));
      if (id) state = this.orders.get(id);
    }
    const symbol = this.map?.symbolOf(o.symbol ?? "");
    if (!state) {
      // An order of this account not sent by this session (another program, an earlier session).
      if (!symbol) return;
      const orderid = safeId(clientId ?? String(o.id));
      const type =
        o.type === "market"
          ? OrderType.MARKET
          : o.triggerPrice
            ? OrderType.STOP
            : o.timeInForce === "IOC"
              ? OrderType.FAK
              : o.timeInForce === "FOK"
                ? OrderType.FOK
                : OrderType.LIMIT;
      const data = createOrderData(
        {
          symbol,
          exchange: this.map!.exchange,
          vtSymbol: `${symbol}.${this.map!.exchange}`,
          direction: o.side === "sell" ? Direction.SHORT : Direction.LONG,
          type,
          volume: num(o.amount),
          price: num(o.price) || num(o.triggerPrice),
          offset: "NONE",
          reference: "",
        },
        orderid,
        this.gatewayName,
        num(o.timestamp) || Date.now(),
      );
      state = { data, unified: o.symbol ?? "", exchangeId: undefined, unknownFate: false, cancelWanted: false };
      this.orders.set(orderid, state);
    }
    this.applyToState(o, state);
  }

  private applyToState(o: CcxtOrder, state: OrderState): void {
    if (o.id && state.exchangeId === undefined) {
      state.exchangeId = String(o.id);
      this.byExchangeId.set(state.exchangeId, state.data.orderid);
      state.unknownFate = false;
    }
    const prev = state.data;
    const status = this.statusOf(o);
    const traded = Math.max(prev.traded, num(o.filled));
    if (status !== undefined && !ACTIVE_STATUSES.has(prev.status) && prev.status !== Status.SUBMITTING) {
      // Final already: a late or replayed update changes nothing.
    } else if (status !== undefined && (status !== prev.status || traded !== prev.traded)) {
      // A replayed older update (less filled) must not move the order back.
      const older = num(o.filled) < prev.traded;
      if (!older) {
        const statusMsg = o.status === "expired" ? "expired: the rest was not filled at once (MARKET / FAK / FOK)" : prev.statusMsg;
        this.updateOrder(state, { status, traded, statusMsg, datetime: num(o.lastUpdateTimestamp) || num(o.timestamp) || Date.now() });
      }
    }
    if (state.exchangeId !== undefined) this.flushPendingTrades(state.exchangeId);
    if (Array.isArray(o.trades))
      for (const t of o.trades)
        if (t && t.id) this.applyTrade({ ...t, order: t.order ?? state.exchangeId, symbol: t.symbol ?? o.symbol, side: t.side ?? o.side });
    if (state.cancelWanted && ACTIVE_STATUSES.has(state.data.status)) void this.doCancel(state, this.gen);
  }

  /** Applies a ccxt trade: once per trade id, under the order it belongs to. */
  private applyTrade(t: CcxtTrade): void {
    if (!t.id) return;
    const id = String(t.id);
    if (this.tradeIds.has(id)) return;
    const exchangeOrderId = t.order === undefined || t.order === null ? undefined : String(t.order);
    const orderid = exchangeOrderId ? this.byExchangeId.get(exchangeOrderId) : undefined;
    const state = orderid ? this.orders.get(orderid) : undefined;
    const symbol = this.map?.symbolOf(t.symbol ?? "");
    if (!state || !symbol) {
      // The order's own update has not come yet: keep the fill until it does.
      if (exchangeOrderId && symbol && this.pendingTradeCount < MAX_PENDING_TRADES) {
        const list = this.pendingTrades.get(exchangeOrderId) ?? [];
        if (!list.some((x) => String(x.id) === id)) {
          list.push(t);
          this.pendingTradeCount++;
        }
        this.pendingTrades.set(exchangeOrderId, list);
      }
      return;
    }
    this.tradeIds.add(id);
    this.onTrade(
      createTrade({
        gatewayName: this.gatewayName,
        symbol,
        exchange: this.map!.exchange,
        orderid: state.data.orderid,
        tradeid: safeId(id),
        direction: t.side === "sell" ? Direction.SHORT : Direction.LONG,
        offset: state.data.offset,
        price: num(t.price),
        volume: num(t.amount),
        datetime: num(t.timestamp) || Date.now(),
      }),
    );
  }

  private flushPendingTrades(exchangeOrderId: string): void {
    const list = this.pendingTrades.get(exchangeOrderId);
    if (!list) return;
    this.pendingTrades.delete(exchangeOrderId);
    this.pendingTradeCount -= list.length;
    for (const t of list) this.applyTrade(t);
  }

  // ------------------------------------------------------------------ private stream + reconciliation

  private startPrivate(gen: number): void {
    const ex = this.ex!;
    if (!ex.has.watchOrders) return;
    const authenticate = (ex as unknown as { authenticate?: (p?: Record<string, unknown>) => Promise<unknown> }).authenticate;
    const closeGate = () => {
      if (this.privateGate) return;
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      this.privateGate = { promise, open };
    };
    const openGate = () => {
      const g = this.privateGate;
      this.privateGate = undefined;
      g?.open();
    };
    const gate = async () => {
      while (this.privateGate && this.gen === gen) await this.privateGate.promise;
    };
    void this.runLoop(
      "private stream",
      gen,
      async () => {
        const list = await ex.watchOrders();
        if (this.gen !== gen) return;
        for (const o of list) this.applyOrder(o);
      },
      {
        onFail: closeGate,
        onBack: openGate,
        // Subscribed again first, then everything that happened meanwhile from REST: no fill is missed.
        recover: async () => {
          await this.restReady();
          if (typeof authenticate === "function") await authenticate.call(ex, { type: this.cfg!.marketType });
          await this.reconcileFor("reconnected", gen, true);
        },
      },
    );
    if (ex.has.watchMyTrades) {
      void this.runLoop(
        "trades stream",
        gen,
        async () => {
          await gate();
          const list = await ex.watchMyTrades();
          if (this.gen !== gen) return;
          for (const t of list) this.applyTrade(t);
        },
        { silent: true },
      );
    }
    if (ex.has.watchBalance) {
      void this.runLoop(
        "balance stream",
        gen,
        async () => {
          await gate();
          const b = await ex.watchBalance();
          if (this.gen !== gen) return;
          this.pushBalances(b);
        },
        { silent: true },
      );
    }
  }

  /**
   * Checks orders and trades over REST now (what the stream may have missed); the gateway does it
   * by itself after every reconnect and every `reconcileIntervalMs`. Errors are logged.
   */
  reconcile(reason = "requested"): Promise<void> {
    return this.reconcileFor(reason, this.gen, false);
  }

  private reconcileFor(reason: string, gen: number, throwErrors: boolean): Promise<void> {
    if (!this.reconciling) {
      this.reconciling = this.doReconcile(reason, gen).finally(() => {
        this.reconciling = undefined;
      });
    }
    return throwErrors ? this.reconciling : this.reconciling.catch((e) => this.writeLog(mapCcxtError(e, "reconcile", this.secrets).message, LogLevel.WARNING));
  }

  private async doReconcile(reason: string, gen: number): Promise<void> {
    const ex = this.ex;
    if (!ex || !this.hasKeys() || this.gen !== gen) return;
    await this.restReady();
    const started = Date.now();
    const since = this.tradeSyncFrom;
    const open = await this.fetchOpenOrders();
    if (this.gen !== gen) return;
    const openIds = new Set(open.map((o) => String(o.id)));
    for (const o of open) this.applyOrder(o);
    const touched = new Set<string>();
    for (const state of this.orders.values()) {
      if (state.unknownFate) {
        await this.resolveUnknown(state, gen);
        continue;
      }
      if (!ACTIVE_STATUSES.has(state.data.status) || state.exchangeId === undefined) continue;
      touched.add(state.unified);
      if (openIds.has(state.exchangeId)) continue;
      // Active here, not open there: it finished while the stream was away.
      const o = await ex.fetchOrder(state.exchangeId, state.unified);
      if (this.gen !== gen) return;
      this.applyOrder(o, state);
    }
    for (const o of open) if (o.symbol) touched.add(o.symbol);
    for (const state of this.orders.values()) if (state.data.datetime >= since - 60_000) touched.add(state.unified);
    if (ex.has.fetchMyTrades) {
      for (const unified of touched) {
        // A minute of overlap: the ids dedupe what was seen already.
        const trades = await ex.fetchMyTrades(unified, Math.max(0, since - 60_000));
        if (this.gen !== gen) return;
        for (const t of trades) this.applyTrade(t);
      }
    }
    this.tradeSyncFrom = started;
    if (reason !== "periodic check") this.writeLog(`Reconciled orders and trades over REST (${reason}): ${open.length} open orders, ${touched.size} symbols.`);
  }

  private async fetchOpenOrders(): Promise<CcxtOrder[]> {
    const ex = this.ex!;
    if (!ex.has.fetchOpenOrders) return [];
    const symbols = this.cfg!.symbols;
    if (symbols.length === 0 || this.cfg!.exchange === "binance") return ex.fetchOpenOrders();
    const out: CcxtOrder[] = [];
    for (const s of this.map!.symbols()) out.push(...(await ex.fetchOpenOrders(this.map!.unifiedOf(s))));
    return out;
  }

  // ------------------------------------------------------------------ account, positions, history

  async queryAccount(): Promise<void> {
    const ex = this.exchange;
    if (!this.hasKeys()) return;
    await this.restReady();
    try {
      this.pushBalances(await ex.fetchBalance());
    } catch (e) {
      const err = mapCcxtError(e, "fetchBalance", this.secrets);
      if (err.code === TW_CCXT_RATE_LIMIT) this.pauseRest();
      throw err;
    }
  }

  private pushBalances(b: Balances): void {
    const total = (b.total ?? {}) as unknown as Record<string, number | undefined>;
    const used = (b.used ?? {}) as unknown as Record<string, number | undefined>;
    for (const [currency, amount] of Object.entries(total)) {
      if (typeof amount !== "number" || (amount === 0 && !num(used[currency]))) continue;
      this.onAccount(
        createAccount({ gatewayName: this.gatewayName, accountid: safeId(this.cfg!.accountPrefix + currency), balance: amount, frozen: num(used[currency]) }),
      );
    }
  }

  async queryPosition(): Promise<void> {
    const ex = this.exchange;
    // Spot holds balances, not positions: they are the accounts.
    if (!this.hasKeys() || this.cfg!.marketType === "spot" || !ex.has.fetchPositions) return;
    await this.restReady();
    let positions: Position[];
    try {
      positions = await ex.fetchPositions(this.map!.symbols().map((s) => this.map!.unifiedOf(s)!));
    } catch (e) {
      throw mapCcxtError(e, "fetchPositions", this.secrets);
    }
    for (const p of positions) {
      const symbol = this.map!.symbolOf(p.symbol ?? "");
      if (!symbol) continue;
      const contracts = num(p.contracts);
      this.onPosition(
        createPosition({
          gatewayName: this.gatewayName,
          symbol,
          exchange: this.map!.exchange,
          direction: Direction.NET,
          volume: p.side === "short" ? -contracts : contracts,
          price: num(p.entryPrice),
          pnl: num(p.unrealizedPnl),
        }),
      );
    }
  }

  async queryHistory(req: HistoryRequest): Promise<BarData[]> {
    const ex = this.exchange;
    const unified = this.map!.unifiedOf(req.symbol);
    const timeframe = TIMEFRAMES[req.interval];
    if (!unified) throw new TickwireError(TW_CCXT_BAD_SYMBOL, `${req.vtSymbol} is not a contract of gateway ${this.gatewayName}.`);
    if (!timeframe || !ex.has.fetchOHLCV) return [];
    const bars: BarData[] = [];
    let since = req.start;
    while (since < req.end) {
      await this.restReady();
      let rows: number[][];
      try {
        rows = (await ex.fetchOHLCV(unified, timeframe, since, 1000)) as number[][];
      } catch (e) {
        throw mapCcxtError(e, `fetchOHLCV ${unified}`, this.secrets);
      }
      if (rows.length === 0) break;
      for (const [t, o, h, l, c, v] of rows) {
        if (t >= req.end) break;
        bars.push(
          createBar({
            gatewayName: this.gatewayName,
            symbol: req.symbol,
            exchange: req.exchange,
            datetime: t,
            interval: req.interval,
            openPrice: o,
            highPrice: h,
            lowPrice: l,
            closePrice: c,
            volume: v,
          }),
        );
      }
      const last = rows[rows.length - 1][0];
      if (last < since) break;
      since = last + 1;
    }
    return bars;
  }

  /** `text` with the keys of this gateway blanked out (for callers that log ccxt output). */
  redact(text: string): string {
    return redact(text, this.secrets);
  }
}
