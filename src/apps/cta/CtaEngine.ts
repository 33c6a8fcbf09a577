import { resolve } from "node:path";
import { Event } from "../../event/Event.js";
import type { EventEngine } from "../../event/EventEngine.js";
import { TickwireError, isTickwireError } from "../../event/errors.js";
import type { Database } from "../../data/types.js";
import { createStrategy, isPromiseLike, type CtaStrategyClass, type CtaTemplate, type StrategyData, type StrategySetting } from "../../strategy/CtaTemplate.js";
import { EngineType, STOPORDER_PREFIX, StopOrderStatus, type HostedStrategy, type StopOrder, type StrategyHost } from "../../strategy/StrategyHost.js";
import { roundTo } from "../../strategy/roundTo.js";
import { BaseEngine } from "../../trader/BaseEngine.js";
import { Direction, Interval, LogLevel, Offset, OrderType } from "../../trader/constants.js";
import { EVENT_ORDER, EVENT_TICK, EVENT_TRADE } from "../../trader/events.js";
import {
  createCancelRequest,
  createHistoryRequest,
  createLog,
  createOrderRequest,
  createSubscribeRequest,
  isActive,
  type BarData,
  type ContractData,
  type LogData,
  type OrderData,
  type TickData,
  type TradeData,
} from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";
import type { TraderEventEngine } from "../../trader/BaseGateway.js";
import { loadStrategyClass } from "./loadStrategyClass.js";
import { MAX_FINISHED_ORDERS, MAX_SAVED_TRADES, readState, writeState, type CtaState } from "./state.js";
import type { TickwireErrorCode } from "../../errorCodes.js";

export const CTA_APP_NAME = "CtaStrategy";
/** A strategy's data (`StrategyData`) changed: added, inited, started, stopped, traded, failed. */
export const EVENT_CTA_STRATEGY = "eCtaStrategy";
/** A log line of the engine or a strategy (`LogData`, gatewayName = the source). */
export const EVENT_CTA_LOG = "eCtaLog";
/** A local stop order was placed, triggered or cancelled (`StopOrder`). */
export const EVENT_CTA_STOPORDER = "eCtaStopOrder";

/** The app's events, for `EventEngine<TraderEvents & CtaEvents>` (or a cast of main.eventEngine). */
export type CtaEvents = {
  eCtaStrategy: StrategyData & { error: string | undefined };
  eCtaLog: LogData;
  eCtaStopOrder: StopOrder;
};

const DAY_MS = 86_400_000;

function noop(): void {}
function yes(): true {
  return true;
}

/** Options of `CtaEngine.configure`; every field has a default. */
export interface CtaEngineOptions {
  /** The JSON file of settings, variables and the order→strategy map. Default `./.tickwire/cta_state.json`. */
  stateFile?: string;
  /** Load history for `loadBar` from this store instead of the gateway's queryHistory. */
  database?: Database;
  /**
   * "auto" (default): a stop order goes to the venue when its contract says `stopSupported`, else
   * it is kept locally; "local": always kept locally (triggered on the tick, sent as a limit).
   */
  stopOrders?: "auto" | "local";
  /** Ended orders kept in the order→strategy map for late fills, newest first. Default 10,000. */
  keepFinishedOrders?: number;
  /** Trade ids remembered to ignore replayed fills, in memory and in the file. Default 20,000. */
  keepTradeIds?: number;
}

/**
 * How a strategy is given to `addStrategy`: its class, the path of the module defining it, that
 * path with the class to take from it, or the name of a class already added or registered.
 */
export type StrategySource = CtaStrategyClass | string | { file: string; className?: string } | { className: string };

interface Hosted {
  strategy: CtaTemplate;
  cls: CtaStrategyClass;
  file: string | undefined;
  setting: StrategySetting;
  /** Callbacks run one at a time per strategy: an async one holds the next until it settles. */
  chain: Promise<void> | undefined;
  activeOrders: Set<string>;
  /** Why the strategy was stopped by the engine, if it was. */
  error: string | undefined;
}

/**
 * The live strategy engine (vnpy's CtaEngine): hosts CtaTemplate strategies on a MainEngine,
 * routes ticks by symbol and orders/trades to the strategy that sent them, keeps local stop orders,
 * persists settings, variables and the order→strategy map, and isolates a failing strategy.
 *
 *   const cta = main.addApp(CtaApp);
 *   cta.configure({ stateFile: "cta.json" });
 *   await cta.addStrategy("examples/strategies/double-ma.ts", "ma1", "rb2410.SHFE", { fastWindow: 5 });
 *   await cta.initAll(); await cta.startAll();
 */
export class CtaEngine extends BaseEngine implements StrategyHost {
  private stateFile = resolve(".tickwire", "cta_state.json");
  private database: Database | undefined = undefined;
  private stopOrderMode: "auto" | "local" = "auto";
  private state: CtaState | undefined = undefined;

  private readonly strategies = new Map<string, Hosted>();
  private readonly bySymbol = new Map<string, Hosted[]>();
  private readonly classes = new Map<string, { cls: CtaStrategyClass; file?: string }>();
  private orderStrategy = new Map<string, string>();
  private seenTrades = new Set<string>();
  /** Mapped orders that ended, oldest first (a Set keeps insertion order): the ones dropped first. */
  private finishedOrders = new Set<string>();
  private keepFinishedOrders = MAX_FINISHED_ORDERS;
  private keepTradeIds = MAX_SAVED_TRADES;
  private readonly stopOrders = new Map<string, StopOrder>();
  private stopOrderCount = 0;
  private closed = false;
  /** A save failed and none succeeded since: the error was logged once for this streak. */
  private saveFailing = false;

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine) {
    super(mainEngine, eventEngine, CTA_APP_NAME);
    this.eventEngine.register(EVENT_TICK, this.processTick);
    this.eventEngine.register(EVENT_ORDER, this.processOrder);
    this.eventEngine.register(EVENT_TRADE, this.processTrade);
  }

  /** Sets the options and loads the state file (the order map and trades already counted). */
  configure(options: CtaEngineOptions = {}): void {
    if (options.stateFile !== undefined) this.stateFile = resolve(options.stateFile);
    if (options.database !== undefined) this.database = options.database;
    if (options.stopOrders !== undefined) this.stopOrderMode = options.stopOrders;
    if (options.keepFinishedOrders !== undefined) this.keepFinishedOrders = count("keepFinishedOrders", options.keepFinishedOrders);
    if (options.keepTradeIds !== undefined) this.keepTradeIds = count("keepTradeIds", options.keepTradeIds);
    this.state = undefined;
    this.loadState();
  }

  private loadState(): CtaState {
    if (this.state) return this.state;
    const state = readState(this.stateFile);
    this.state = state;
    this.orderStrategy = new Map(Object.entries(state.orders));
    this.seenTrades = new Set(state.trades.slice(-this.keepTradeIds));
    // Orders not listed as ended were live when saved: they stay mapped until they end here.
    this.finishedOrders = new Set(state.finished.filter((id) => this.orderStrategy.has(id)));
    this.trimFinished();
    return state;
  }

  private saveState(): void {
    const state = this.loadState();
    state.orders = Object.fromEntries(this.orderStrategy);
    state.trades = [...this.seenTrades];
    state.finished = [...this.finishedOrders];
    // Never throws: a save runs inside a strategy's buy()/sell(), and a full disk must not stop it.
    try {
      writeState(this.stateFile, state);
    } catch (err) {
      if (!this.saveFailing) {
        this.saveFailing = true;
        const why = isTickwireError(err) ? `${err.code}: ${err.message}` : String(err);
        this.log(`state not saved, retrying on every change: ${why}`, CTA_APP_NAME, LogLevel.ERROR);
      }
      return;
    }
    if (this.saveFailing) {
      this.saveFailing = false;
      this.log(`state saved again to ${this.stateFile}`, CTA_APP_NAME);
    }
  }

  /** The file the state is kept in. */
  get stateFilePath(): string {
    return this.stateFile;
  }

  // ------------------------------------------------------------------ strategy lifecycle

  /** Makes `cls` addable by its class name (for saved strategies and `{ className }` entries). */
  registerStrategyClass(cls: CtaStrategyClass, file?: string): void {
    this.classes.set(cls.name, { cls, file });
  }

  /** Adds a strategy (not inited). `source` is its class, a module path, or `{ file, className }`. */
  async addStrategy(source: StrategySource, strategyName: string, vtSymbol: string, setting: StrategySetting = {}): Promise<CtaTemplate> {
    if (this.strategies.has(strategyName)) {
      throw this.fail("TW_CTA_DUPLICATE", `A strategy named ${JSON.stringify(strategyName)} exists already: give each strategy its own name.`);
    }
    if (!/^[^.]+\.[^.]+$/.test(vtSymbol)) {
      throw this.fail("TW_CTA_SYMBOL", `vtSymbol ${JSON.stringify(vtSymbol)} of ${strategyName} is not "symbol.EXCHANGE" (e.g. "rb2410.SHFE").`);
    }
    let cls: CtaStrategyClass;
    let file: string | undefined;
    if (typeof source === "function") cls = source;
    else if (typeof source === "object" && !("file" in source)) {
      const known = this.classes.get(source.className);
      if (!known) {
        throw this.fail(
          "TW_CTA_LOAD",
          `No strategy class ${source.className} is known (known: ${[...this.classes.keys()].join(", ") || "none"}): add a strategy from its file first, or registerStrategyClass() it.`,
        );
      }
      cls = known.cls;
      file = known.file;
    } else {
      const spec = typeof source === "string" ? { file: source } : source;
      file = resolve(spec.file);
      cls = await loadStrategyClass(file, spec.className);
    }
    this.registerStrategyClass(cls, file);
    const strategy = createStrategy(cls, this, strategyName, vtSymbol, setting);
    const hosted: Hosted = { strategy, cls, file, setting: { ...setting }, chain: undefined, activeOrders: new Set(), error: undefined };
    this.strategies.set(strategyName, hosted);
    const list = this.bySymbol.get(vtSymbol) ?? [];
    list.push(hosted);
    this.bySymbol.set(vtSymbol, list);
    this.saveSetting(hosted);
    this.putStrategyEvent(strategy);
    this.log(`added ${strategyName} (${cls.name}) on ${vtSymbol}`, strategyName);
    return strategy;
  }

  /** Adds back every strategy saved in the state file whose class can be found; returns their names. */
  async restoreStrategies(): Promise<string[]> {
    const state = this.loadState();
    const added: string[] = [];
    for (const [name, saved] of Object.entries(state.strategies)) {
      if (this.strategies.has(name)) continue;
      const known = this.classes.get(saved.className);
      const source: StrategySource | undefined = known ? known.cls : saved.file ? { file: saved.file, className: saved.className } : undefined;
      if (!source) {
        this.log(`cannot restore ${name}: class ${saved.className} is not registered and has no file`, name, LogLevel.WARNING);
        continue;
      }
      await this.addStrategy(source, name, saved.vtSymbol, saved.setting);
      added.push(name);
    }
    return added;
  }

  /** Runs `onInit`, restores the saved variables (pos included) and subscribes the symbol. */
  async initStrategy(strategyName: string): Promise<void> {
    const h = this.hosted(strategyName);
    const s = h.strategy;
    if (s.inited) {
      this.log(`${strategyName} is inited already`, strategyName, LogLevel.WARNING);
      return;
    }
    h.error = undefined;
    const contract = this.mainEngine.getContract(s.vtSymbol);
    // Before onInit: "now" for loadBar is the market's latest tick (a sim may run on a clock of its own).
    if (contract) await this.subscribe(contract);
    else this.log(`no contract ${s.vtSymbol} yet: ${strategyName} gets its ticks once a gateway subscribed it`, strategyName, LogLevel.WARNING);
    if (!(await this.call(h, "onInit", () => s.onInit()))) return;
    const saved = this.loadState().strategies[strategyName]?.variables;
    if (saved) {
      const self = s as unknown as Record<string, unknown>;
      for (const name of ["pos", ...h.cls.variables]) if (name in saved) self[name] = saved[name];
    }
    s.inited = true;
    // vnpy subscribes after init, so the snapshot a gateway answers with reaches the strategy: hand it over.
    const tick = this.mainEngine.getTick(s.vtSymbol);
    if (tick) await this.call(h, "onTick", () => s.onTick(tick));
    this.putStrategyEvent(s);
    this.log(`${strategyName} inited`, strategyName);
  }

  private async subscribe(contract: ContractData): Promise<void> {
    await this.mainEngine.subscribe(createSubscribeRequest({ symbol: contract.symbol, exchange: contract.exchange }), contract.gatewayName);
    // A barrier: what the subscription pushed is in the OMS once it has been dispatched.
    if (this.eventEngine.running) await this.eventEngine.submit(noop).then(noop, noop);
  }

  async startStrategy(strategyName: string): Promise<void> {
    const h = this.hosted(strategyName);
    const s = h.strategy;
    if (!s.inited) throw this.fail("TW_CTA_NOT_INITED", `${strategyName} is not inited: initStrategy() it before starting.`);
    if (s.trading) return;
    if (!(await this.call(h, "onStart", () => s.onStart()))) return;
    s.trading = true;
    this.putStrategyEvent(s);
    this.log(`${strategyName} started`, strategyName);
  }

  async stopStrategy(strategyName: string): Promise<void> {
    const h = this.hosted(strategyName);
    const s = h.strategy;
    if (!s.trading) return;
    await this.call(h, "onStop", () => s.onStop());
    s.trading = false;
    this.cancelAll(s);
    this.syncStrategyData(s);
    this.putStrategyEvent(s);
    this.log(`${strategyName} stopped`, strategyName);
  }

  /** Applies new parameter values (listed parameters only) and saves them. */
  editStrategy(strategyName: string, setting: StrategySetting): void {
    const h = this.hosted(strategyName);
    h.strategy.updateSetting(setting);
    Object.assign(h.setting, setting);
    this.saveSetting(h);
    this.putStrategyEvent(h.strategy);
  }

  /** Removes a stopped strategy and its saved state (its orders' map entries stay, for late fills). */
  removeStrategy(strategyName: string): void {
    const h = this.hosted(strategyName);
    if (h.strategy.trading) throw this.fail("TW_CTA_TRADING", `${strategyName} is trading: stopStrategy() it before removing it.`);
    this.strategies.delete(strategyName);
    const list = this.bySymbol.get(h.strategy.vtSymbol);
    if (list)
      this.bySymbol.set(
        h.strategy.vtSymbol,
        list.filter((x) => x !== h),
      );
    for (const [id, so] of this.stopOrders) if (so.strategyName === strategyName) this.stopOrders.delete(id);
    const state = this.loadState();
    delete state.strategies[strategyName];
    this.saveState();
    this.log(`${strategyName} removed`, strategyName);
  }

  async initAll(): Promise<void> {
    for (const name of this.strategies.keys()) await this.initStrategy(name);
  }

  async startAll(): Promise<void> {
    for (const [name, h] of this.strategies) if (h.strategy.inited) await this.startStrategy(name);
  }

  async stopAll(): Promise<void> {
    for (const name of this.strategies.keys()) await this.stopStrategy(name);
  }

  getStrategy(strategyName: string): CtaTemplate | undefined {
    return this.strategies.get(strategyName)?.strategy;
  }

  getAllStrategyNames(): string[] {
    return [...this.strategies.keys()];
  }

  /** Why the engine stopped the strategy (its error's stack), or undefined. */
  getStrategyError(strategyName: string): string | undefined {
    return this.strategies.get(strategyName)?.error;
  }

  /** The strategy an order belongs to (kept across restarts in the state file). */
  getOrderStrategy(vtOrderid: string): string | undefined {
    return this.orderStrategy.get(vtOrderid);
  }

  getAllStopOrders(): StopOrder[] {
    return [...this.stopOrders.values()];
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopAll();
    this.eventEngine.unregister(EVENT_TICK, this.processTick);
    this.eventEngine.unregister(EVENT_ORDER, this.processOrder);
    this.eventEngine.unregister(EVENT_TRADE, this.processTrade);
  }

  // ------------------------------------------------------------------ events

  private readonly processTick = (event: Event<TickData>): void => {
    const tick = event.data;
    const list = this.bySymbol.get(tick.vtSymbol);
    if (list === undefined || list.length === 0) return;
    if (this.stopOrders.size > 0) this.checkStopOrders(tick);
    for (const h of list) {
      const s = h.strategy;
      if (!s.inited) continue;
      if (h.chain !== undefined) {
        void this.call(h, "onTick", () => s.onTick(tick));
        continue;
      }
      // The per-tick path of `call`, without its closures (they halved the tick rate, bench 85).
      try {
        const r = s.onTick(tick);
        if (isPromiseLike(r))
          this.hold(
            h,
            Promise.resolve(r).then(yes, (err: unknown) => this.strategyFailed(h, "onTick", err)),
          );
      } catch (err) {
        this.strategyFailed(h, "onTick", err);
      }
    }
  };

  private readonly processOrder = (event: Event<OrderData>): void => {
    const order = event.data;
    const h = this.ownerOf(order.vtOrderid, order.reference);
    if (!h) return;
    if (isActive(order)) h.activeOrders.add(order.vtOrderid);
    else {
      h.activeOrders.delete(order.vtOrderid);
      this.orderFinished(order.vtOrderid);
    }
    const s = h.strategy;
    void this.call(h, "onOrder", () => s.onOrder(order));
  };

  private readonly processTrade = (event: Event<TradeData>): void => {
    const trade = event.data;
    // A gateway replaying its fills (a reconnect, an RPC snapshot) must not move pos twice.
    if (this.seenTrades.has(trade.vtTradeid)) return;
    const order = this.mainEngine.getOrder(trade.vtOrderid);
    const h = this.ownerOf(trade.vtOrderid, order?.reference);
    if (!h) return;
    this.seenTrades.add(trade.vtTradeid);
    if (this.seenTrades.size > this.keepTradeIds) this.seenTrades.delete(this.seenTrades.values().next().value as string);
    const s = h.strategy;
    s.pos += trade.direction === Direction.LONG ? trade.volume : -trade.volume;
    void this.call(h, "onTrade", () => s.onTrade(trade));
    this.syncVariables(h);
    this.putStrategyEvent(s);
  };

  /** An ended order moves to the newest end of the finished list; beyond the limit the oldest is unmapped. */
  private orderFinished(vtOrderid: string): void {
    if (!this.orderStrategy.has(vtOrderid)) return;
    this.finishedOrders.delete(vtOrderid);
    this.finishedOrders.add(vtOrderid);
    this.trimFinished();
  }

  private trimFinished(): void {
    while (this.finishedOrders.size > this.keepFinishedOrders) {
      const oldest = this.finishedOrders.values().next().value as string;
      this.finishedOrders.delete(oldest);
      this.orderStrategy.delete(oldest);
    }
  }

  private ownerOf(vtOrderid: string, reference: string | undefined): Hosted | undefined {
    const name = this.orderStrategy.get(vtOrderid);
    if (name !== undefined) return this.strategies.get(name);
    // An order whose id came back too late to be mapped (a remote gateway) still names its sender.
    if (reference !== undefined && reference.startsWith(REFERENCE_PREFIX)) {
      const h = this.strategies.get(reference.slice(REFERENCE_PREFIX.length));
      if (h) {
        this.orderStrategy.set(vtOrderid, h.strategy.strategyName);
        this.saveState();
      }
      return h;
    }
    return undefined;
  }

  // ------------------------------------------------------------------ isolation

  /**
   * Runs one callback of a strategy; resolves true when it succeeded. A throw or a rejection
   * stops that strategy alone (trading and inited off, its orders cancelled, its stack logged).
   */
  private call(h: Hosted, what: string, fn: () => unknown): Promise<boolean> | boolean {
    const run = (): Promise<boolean> | boolean => {
      if (h.error !== undefined && what !== "onInit") return false;
      try {
        const r = fn();
        if (isPromiseLike(r)) {
          return Promise.resolve(r).then(
            () => true,
            (err: unknown) => this.strategyFailed(h, what, err),
          );
        }
        return true;
      } catch (err) {
        return this.strategyFailed(h, what, err);
      }
    };
    if (h.chain !== undefined) {
      const next = h.chain.then(run);
      this.hold(h, next);
      return next;
    }
    const r = run();
    if (isPromiseLike(r)) this.hold(h, r);
    return r;
  }

  private hold(h: Hosted, p: Promise<boolean>): void {
    const chain = p.then(() => {
      if (h.chain === chain) h.chain = undefined;
    });
    h.chain = chain;
  }

  private strategyFailed(h: Hosted, what: string, err: unknown): false {
    const s = h.strategy;
    const stack = err instanceof Error ? (err.stack ?? String(err)) : String(err);
    h.error = stack;
    const wasTrading = s.trading;
    s.trading = false;
    s.inited = false;
    if (wasTrading) this.cancelOrdersOf(h);
    this.log(`${s.strategyName} stopped: ${what} threw\n${stack}`, s.strategyName, LogLevel.ERROR);
    this.putStrategyEvent(s);
    return false;
  }

  // ------------------------------------------------------------------ StrategyHost

  sendOrder(
    strategy: HostedStrategy,
    direction: Direction,
    offset: Offset,
    price: number,
    volume: number,
    stop: boolean,
    _lock: boolean,
    _net: boolean,
  ): string[] {
    const h = this.strategies.get(strategy.strategyName);
    if (!h) return [];
    const contract = this.mainEngine.getContract(strategy.vtSymbol);
    if (!contract) {
      this.log(`order of ${strategy.strategyName} not sent: no contract ${strategy.vtSymbol}`, strategy.strategyName, LogLevel.ERROR);
      return [];
    }
    // The backtester's rounding (vnpy's round_to), so both hosts send the same prices.
    const p = roundTo(price, contract.priceTick);
    const v = volume;
    if (!stop) return this.sendLimit(h, contract, direction, offset, p, v, OrderType.LIMIT);
    if (this.stopOrderMode === "auto" && contract.stopSupported) return this.sendLimit(h, contract, direction, offset, p, v, OrderType.STOP);
    return [this.sendLocalStop(h, direction, offset, p, v)];
  }

  private sendLimit(h: Hosted, contract: ContractData, direction: Direction, offset: Offset, price: number, volume: number, type: OrderType): string[] {
    const name = h.strategy.strategyName;
    const req = createOrderRequest({
      symbol: contract.symbol,
      exchange: contract.exchange,
      direction,
      offset,
      type,
      price,
      volume,
      reference: REFERENCE_PREFIX + name,
    });
    let id: string | Promise<string>;
    try {
      id = this.mainEngine.sendOrder(req, contract.gatewayName);
    } catch (err) {
      this.orderFailed(name, err);
      return [];
    }
    if (isPromiseLike(id)) {
      // A remote gateway answers later: the id is mapped then (and by reference meanwhile).
      Promise.resolve(id).then(
        (vtOrderid) => this.mapOrder(h, vtOrderid),
        (err: unknown) => this.orderFailed(name, err),
      );
      return [];
    }
    this.mapOrder(h, id);
    return [id];
  }

  private orderFailed(name: string, err: unknown): void {
    // A risk refusal is an expected outcome (the strategy gets its REJECTED order): a warning, not an error.
    const refused = isTickwireError(err) && err.code.startsWith("TW_RISK_");
    const why = isTickwireError(err) ? `${err.code}: ${err.message}` : String(err);
    this.log(`order of ${name} ${refused ? "refused" : "failed"}: ${why}`, name, refused ? LogLevel.WARNING : LogLevel.ERROR);
  }

  private mapOrder(h: Hosted, vtOrderid: string): void {
    // Empty: not sent. Finished: a remote gateway's events, mapped by reference, beat its id here.
    if (vtOrderid === "" || this.finishedOrders.has(vtOrderid)) return;
    this.orderStrategy.set(vtOrderid, h.strategy.strategyName);
    h.activeOrders.add(vtOrderid);
    // Saved before any fill can arrive: the event engine dispatches the order's events later.
    this.saveState();
  }

  private sendLocalStop(h: Hosted, direction: Direction, offset: Offset, price: number, volume: number): string {
    const s = h.strategy;
    const stopOrder: StopOrder = {
      vtSymbol: s.vtSymbol,
      direction,
      offset,
      price,
      volume,
      stopOrderid: `${STOPORDER_PREFIX}.${++this.stopOrderCount}`,
      strategyName: s.strategyName,
      datetime: this.mainEngine.getTick(s.vtSymbol)?.datetime ?? Date.now(),
      lock: false,
      net: false,
      vtOrderids: [],
      status: StopOrderStatus.WAITING,
    };
    this.stopOrders.set(stopOrder.stopOrderid, stopOrder);
    this.stopOrderChanged(h, stopOrder);
    return stopOrder.stopOrderid;
  }

  /** Triggers waiting stop orders the tick's last price reached, as limits at the far side of the book. */
  private checkStopOrders(tick: TickData): void {
    for (const so of [...this.stopOrders.values()]) {
      if (so.vtSymbol !== tick.vtSymbol) continue;
      const long = so.direction === Direction.LONG;
      if (long ? tick.lastPrice < so.price : tick.lastPrice > so.price) continue;
      const h = this.strategies.get(so.strategyName);
      const contract = this.mainEngine.getContract(so.vtSymbol);
      this.stopOrders.delete(so.stopOrderid);
      if (!h || !contract || !h.strategy.trading) continue;
      // Aggressive so it fills now, as a stop should: the limit price, else 5 levels deep (vnpy's rule).
      const price = long ? tick.limitUp || tick.askPrice5 || tick.askPrice1 : tick.limitDown || tick.bidPrice5 || tick.bidPrice1;
      so.vtOrderids = this.sendLimit(h, contract, so.direction, so.offset, price || so.price, so.volume, OrderType.LIMIT);
      so.status = StopOrderStatus.TRIGGERED;
      this.stopOrderChanged(h, so);
    }
  }

  private stopOrderChanged(h: Hosted, so: StopOrder): void {
    const copy = { ...so, vtOrderids: [...so.vtOrderids] };
    this.putEvent(EVENT_CTA_STOPORDER, copy);
    void this.call(h, "onStopOrder", () => h.strategy.onStopOrder(copy));
  }

  cancelOrder(strategy: HostedStrategy, vtOrderid: string): void {
    const h = this.strategies.get(strategy.strategyName);
    if (!h) return;
    if (vtOrderid.startsWith(STOPORDER_PREFIX + ".")) {
      const so = this.stopOrders.get(vtOrderid);
      if (!so || so.strategyName !== strategy.strategyName) return;
      this.stopOrders.delete(vtOrderid);
      so.status = StopOrderStatus.CANCELLED;
      this.stopOrderChanged(h, so);
      return;
    }
    const order = this.mainEngine.getOrder(vtOrderid);
    if (!order || !isActive(order)) return;
    try {
      const r = this.mainEngine.cancelOrder(createCancelRequest({ orderid: order.orderid, symbol: order.symbol, exchange: order.exchange }), order.gatewayName);
      if (isPromiseLike(r))
        Promise.resolve(r).catch((err: unknown) => this.log(`cancel of ${vtOrderid} failed: ${String(err)}`, strategy.strategyName, LogLevel.WARNING));
    } catch (err) {
      this.log(`cancel of ${vtOrderid} failed: ${String(err)}`, strategy.strategyName, LogLevel.WARNING);
    }
  }

  cancelAll(strategy: HostedStrategy): void {
    const h = this.strategies.get(strategy.strategyName);
    if (h) this.cancelOrdersOf(h);
  }

  private cancelOrdersOf(h: Hosted): void {
    const s = h.strategy;
    for (const id of [...h.activeOrders]) this.cancelOrder(s, id);
    for (const so of [...this.stopOrders.values()]) if (so.strategyName === s.strategyName) this.cancelOrder(s, so.stopOrderid);
  }

  writeLog(strategy: HostedStrategy, msg: string): void {
    this.log(msg, strategy.strategyName);
  }

  getEngineType(): EngineType {
    return EngineType.LIVE;
  }

  getPricetick(strategy: HostedStrategy): number {
    return this.mainEngine.getContract(strategy.vtSymbol)?.priceTick ?? 0;
  }

  getSize(strategy: HostedStrategy): number {
    return this.mainEngine.getContract(strategy.vtSymbol)?.size ?? 1;
  }

  /**
   * Bars of the `days` before "now" (both ends included) — the latest tick's time when there is
   * one (a sim running on its own clock), else the wall clock — from the configured store, or
   * from the gateway's history when no store is configured or the store has none of them.
   */
  async loadBar(strategy: HostedStrategy, days: number, interval: Interval = Interval.MINUTE): Promise<readonly BarData[]> {
    const now = this.mainEngine.getTick(strategy.vtSymbol)?.datetime ?? Date.now();
    const start = now - days * DAY_MS;
    const contract = this.mainEngine.getContract(strategy.vtSymbol);
    const gatewayHistory = contract !== undefined && contract.historyData;
    if (this.database) {
      const stored = await this.database.loadBars({ vtSymbol: strategy.vtSymbol, interval, start, end: now });
      if (stored.length > 0 || !gatewayHistory) return stored;
      this.log(
        `no ${interval} bars of ${strategy.vtSymbol} in ${this.database.url} for the last ${days} days: asking ${contract.gatewayName}'s history`,
        strategy.strategyName,
      );
    } else if (!gatewayHistory) {
      this.log(`no history for ${strategy.vtSymbol}: configure a database or use a gateway with history`, strategy.strategyName, LogLevel.WARNING);
      return [];
    }
    const req = createHistoryRequest({ symbol: contract.symbol, exchange: contract.exchange, start, end: now, interval });
    return this.mainEngine.queryHistory(req, contract.gatewayName);
  }

  loadTick(strategy: HostedStrategy, days: number): Promise<readonly TickData[]> {
    if (!this.database) return Promise.resolve([]);
    const now = this.mainEngine.getTick(strategy.vtSymbol)?.datetime ?? Date.now();
    return this.database.loadTicks({ vtSymbol: strategy.vtSymbol, start: now - days * DAY_MS, end: now });
  }

  putStrategyEvent(strategy: HostedStrategy): void {
    const h = this.strategies.get(strategy.strategyName);
    if (h) this.putEvent(EVENT_CTA_STRATEGY, { ...h.strategy.getData(), error: h.error });
  }

  syncStrategyData(strategy: HostedStrategy): void {
    const h = this.strategies.get(strategy.strategyName);
    if (h) this.syncVariables(h);
  }

  // ------------------------------------------------------------------ helpers

  private syncVariables(h: Hosted): void {
    const state = this.loadState();
    const saved = state.strategies[h.strategy.strategyName];
    if (saved) saved.variables = h.strategy.getVariables();
    this.saveState();
  }

  private saveSetting(h: Hosted): void {
    const state = this.loadState();
    const s = h.strategy;
    const old = state.strategies[s.strategyName];
    state.strategies[s.strategyName] = {
      className: h.cls.name,
      ...(h.file !== undefined ? { file: h.file } : {}),
      vtSymbol: s.vtSymbol,
      setting: { ...h.setting, ...s.getParameters() },
      variables: old?.variables ?? {},
    };
    this.saveState();
  }

  private hosted(strategyName: string): Hosted {
    const h = this.strategies.get(strategyName);
    if (h) return h;
    throw this.fail(
      "TW_CTA_UNKNOWN_STRATEGY",
      `No strategy named ${JSON.stringify(strategyName)} (strategies: ${[...this.strategies.keys()].join(", ") || "none"}).`,
    );
  }

  private fail(code: TickwireErrorCode, msg: string): TickwireError {
    this.log(msg, CTA_APP_NAME, LogLevel.ERROR);
    return new TickwireError(code, msg);
  }

  private log(msg: string, source: string, level: LogLevel = LogLevel.INFO): void {
    const text = source === CTA_APP_NAME ? msg : `[${source}] ${msg}`;
    this.putEvent(EVENT_CTA_LOG, createLog({ msg: text, gatewayName: CTA_APP_NAME, level }));
    this.mainEngine.writeLog(text, CTA_APP_NAME, level);
  }

  private putEvent(type: string, data: unknown): void {
    // App events are not in TraderEvents; the engine carries any type.
    (this.eventEngine as unknown as EventEngine).put(new Event(type, data));
  }
}

function count(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new TickwireError("TW_CTA_BAD_OPTION", `${name} must be a whole number >= 0, got ${JSON.stringify(v)}.`);
  return v;
}

/** Orders sent by a strategy carry `cta:<name>` as their reference. */
export const REFERENCE_PREFIX = "cta:";
