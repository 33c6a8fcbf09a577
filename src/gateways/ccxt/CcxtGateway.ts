import type { Exchange as CcxtExchange } from "ccxt";
import { TickwireError } from "../../event/errors.js";
import { BaseGateway, refuseUnknownSettings, type GatewaySetting, type TraderEventEngine } from "../../trader/BaseGateway.js";
import type { Exchange } from "../../trader/constants.js";
import type { BarData, CancelRequest, ContractData, HistoryRequest, OrderRequest, SubscribeRequest } from "../../trader/objects.js";
import { queryAccount, queryHistory, queryPosition } from "./account.js";
import { TW_CCXT_BAD_OPTION, mapCcxtError, redact } from "./errors.js";
import { createExchange, loadContracts } from "./exchange.js";
import { MarketStreams, type MarketStreamState } from "./marketData.js";
import { OrderTracker } from "./orders.js";
import { PrivateSync } from "./privateSync.js";
import { CcxtSession } from "./session.js";
import { CCXT_SETTING_KEYS, DEFAULT_CCXT_SETTING, parseCcxtSettings, type CcxtGatewaySetting, type CcxtSettings } from "./settings.js";
import { CCXT_EXCHANGES, SymbolMap, exchangeCodeOf } from "./venues.js";

export type { MarketStreamState } from "./marketData.js";

type CcxtModule = typeof import("ccxt");
let ccxtModule: Promise<CcxtModule> | undefined;

/** ccxt, imported on first use (it is big): importing this module does not load it. */
export function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import("ccxt");
  return ccxtModule;
}

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
 *
 * The parts: `CcxtSession` (session.ts: shared state, stream loops with backoff, rate-limit pause),
 * `createExchange` / `loadContracts` (exchange.ts), `MarketStreams` (marketData.ts), `OrderTracker`
 * (orders.ts, with the ccxt mapping in orderMapping.ts), `PrivateSync` (privateSync.ts) and the
 * account queries (account.ts).
 */
export class CcxtGateway extends BaseGateway {
  static override readonly defaultName: string = "CCXT";
  static override readonly defaultSetting: GatewaySetting = DEFAULT_CCXT_SETTING;
  static override readonly exchanges: readonly Exchange[] = Object.values(CCXT_EXCHANGES);

  private readonly session = new CcxtSession(this);
  private readonly market = new MarketStreams(this.session);
  private readonly orders = new OrderTracker(this.session);
  private readonly sync = new PrivateSync(this.session, this.orders);
  private timers: Array<ReturnType<typeof setInterval>> = [];

  constructor(eventEngine: TraderEventEngine, gatewayName?: string) {
    super(eventEngine, gatewayName);
  }

  /** Ticks pushed (for benchmarks and inspection). */
  get ticksPushed(): number {
    return this.market.ticksPushed;
  }

  /** The ccxt exchange object (for inspection and tests); throws before connect. */
  get exchange(): CcxtExchange {
    return this.session.exchange();
  }

  get connected(): boolean {
    return this.session.ex !== undefined;
  }

  /** The contracts loaded by connect. */
  getContracts(): ContractData[] {
    return [...this.session.contracts.values()];
  }

  /** The state of each subscribed market stream. */
  marketStreams(): MarketStreamState[] {
    return this.market.list();
  }

  // ------------------------------------------------------------------ connect / close

  async connect(setting: CcxtGatewaySetting = {}): Promise<void> {
    const s = this.session;
    if (s.ex) await this.close();
    this.onConnecting();
    const gen = ++s.gen;
    let cfg: CcxtSettings;
    try {
      refuseUnknownSettings(setting, CCXT_SETTING_KEYS, TW_CCXT_BAD_OPTION, this.gatewayName);
      cfg = parseCcxtSettings(setting);
    } catch (e) {
      this.onDisconnected(e instanceof Error ? e.message : String(e));
      throw e;
    }
    s.cfg = cfg;
    s.secrets = [cfg.apiKey, cfg.secret, cfg.password].filter((x) => x !== "");
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
      s.map = new SymbolMap(code);
      ex = await createExchange(await loadCcxt(), cfg, s.secrets);
      s.ex = ex;
      await ex.loadMarkets();
    } catch (e) {
      const err = mapCcxtError(e, `connect to ${cfg.exchange}`, s.secrets);
      this.onDisconnected(err.message);
      await this.close();
      throw err;
    }
    try {
      loadContracts(s, ex, cfg);
      if (s.hasKeys()) {
        await queryAccount(s);
        await queryPosition(s);
        const open = await this.sync.fetchOpenOrders();
        for (const o of open) this.orders.applyOrder(o);
      }
    } catch (e) {
      const err = mapCcxtError(e, `connect to ${cfg.exchange}`, s.secrets);
      // Reported with the reason first; close's own "closed" is then no news.
      this.onDisconnected(err.message);
      await this.close();
      throw err;
    }
    this.sync.markSynced();
    this.onConnected(
      `${cfg.exchange}${cfg.sandbox ? " (sandbox)" : ""} ${cfg.marketType}: ${s.contracts.size} contracts${s.hasKeys() ? "" : ", market data only (no API key)"}`,
    );
    this.writeLog(
      `Connected to ${cfg.exchange}${cfg.sandbox ? " sandbox" : ""}: ${s.contracts.size} ${cfg.marketType} contracts, ${s.useWebsocket() ? "WebSocket streams" : "REST polling"}.`,
    );
    if (s.hasKeys()) this.sync.start(gen);
    if (cfg.staleAfterMs > 0 && s.useWebsocket()) this.every(Math.max(20, Math.floor(cfg.staleAfterMs / 2)), () => this.market.checkStale(gen));
    if (cfg.reconcileIntervalMs > 0 && s.hasKeys()) this.every(cfg.reconcileIntervalMs, () => void this.sync.reconcile("periodic check", gen, false));
  }

  async close(): Promise<void> {
    const s = this.session;
    s.gen++;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const ex = s.ex;
    s.ex = undefined;
    this.market.clear();
    s.clearStreams();
    this.sync.release();
    if (ex) {
      try {
        await ex.close();
      } catch {
        // Closing ends the sockets; an error here has nothing left to clean.
      }
      this.onDisconnected("closed");
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  // ------------------------------------------------------------------ market data, orders, account

  subscribe(req: SubscribeRequest): void {
    this.market.subscribe(req);
  }

  sendOrder(req: OrderRequest): string {
    return this.orders.sendOrder(req);
  }

  cancelOrder(req: CancelRequest): void {
    this.orders.cancelOrder(req);
  }

  /**
   * Checks orders and trades over REST now (what the stream may have missed); the gateway does it
   * by itself after every reconnect and every `reconcileIntervalMs`. Errors are logged.
   */
  reconcile(reason = "requested"): Promise<void> {
    return this.sync.reconcile(reason, this.session.gen, false);
  }

  async queryAccount(): Promise<void> {
    await queryAccount(this.session);
  }

  async queryPosition(): Promise<void> {
    await queryPosition(this.session);
  }

  async queryHistory(req: HistoryRequest): Promise<BarData[]> {
    return queryHistory(this.session, req);
  }

  /** `text` with the keys of this gateway blanked out (for callers that log ccxt output). */
  redact(text: string): string {
    return redact(text, this.session.secrets);
  }
}
