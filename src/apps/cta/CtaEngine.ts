import { Event } from "../../event/Event.js";
import type { EventEngine } from "../../event/EventEngine.js";
import { TickwireError } from "../../event/errors.js";
import type { Database } from "../../data/types.js";
import { createStrategy, type CtaStrategyClass, type CtaTemplate, type StrategySetting } from "../../strategy/CtaTemplate.js";
import { EngineType, type HostedStrategy, type StopOrder, type StrategyHost } from "../../strategy/StrategyHost.js";
import { roundTo } from "../../strategy/roundTo.js";
import { BaseEngine } from "../../trader/BaseEngine.js";
import { Direction, Interval, LogLevel, Offset, OrderType } from "../../trader/constants.js";
import { EVENT_ORDER, EVENT_TICK, EVENT_TRADE } from "../../trader/events.js";
import { createLog, createSubscribeRequest, type BarData, type ContractData, type OrderData, type TickData, type TradeData } from "../../trader/objects.js";
import type { MainEngine } from "../../trader/MainEngine.js";
import type { TraderEventEngine } from "../../trader/BaseGateway.js";
import type { TickwireErrorCode } from "../../errorCodes.js";
import { CTA_APP_NAME, EVENT_CTA_LOG, EVENT_CTA_STOPORDER, EVENT_CTA_STRATEGY, type CtaEngineOptions } from "./ctaEvents.js";
import { CtaOrderRouter } from "./orderRouting.js";
import { CtaStateStore } from "./CtaStateStore.js";
import { StrategyTable, callStrategy, tickStrategies, type Hosted } from "./hosted.js";
import { loadBars, loadTicks } from "./history.js";
import { LocalStopOrders, isStopOrderid } from "./stopOrders.js";
import { resolveStrategySource, savedSource, type ClassTable, type StrategySource } from "./strategySource.js";

function noop(): void {}

/**
 * The live strategy engine (vnpy's CtaEngine): hosts CtaTemplate strategies on a MainEngine,
 * routes ticks by symbol and orders/trades to the strategy that sent them, keeps local stop orders,
 * persists settings, variables and the order→strategy map, and isolates a failing strategy.
 *
 * The parts live in files of their own: `orderRouting.ts` (orders, the order→strategy map, trade
 * dedupe), `stopOrders.ts` (local stop orders), `CtaStateStore.ts` (the state file), `history.ts`
 * (`loadBar`/`loadTick`), `hosted.ts` (one callback at a time per strategy), `strategySource.ts`.
 *
 *   const cta = main.addApp(CtaApp);
 *   cta.configure({ stateFile: "cta.json" });
 *   await cta.addStrategy("examples/strategies/double-ma.ts", "ma1", "rb2410.SHFE", { fastWindow: 5 });
 *   await cta.initAll(); await cta.startAll();
 */
export class CtaEngine extends BaseEngine implements StrategyHost {
  private database: Database | undefined = undefined;
  private stopOrderMode: "auto" | "local" = "auto";

  private readonly strategies = new StrategyTable();
  private readonly classes: ClassTable = new Map();
  private readonly router: CtaOrderRouter;
  private readonly store: CtaStateStore;
  private readonly stopOrders: LocalStopOrders;
  private closed = false;

  constructor(mainEngine: MainEngine, eventEngine: TraderEventEngine) {
    super(mainEngine, eventEngine, CTA_APP_NAME);
    this.router = new CtaOrderRouter(mainEngine, {
      strategy: (name) => this.strategies.get(name),
      saveState: () => this.store.save(),
      log: (msg, source, level) => this.log(msg, source, level),
    });
    this.stopOrders = new LocalStopOrders({
      strategy: (name) => this.strategies.get(name),
      contract: (vtSymbol) => this.mainEngine.getContract(vtSymbol),
      send: (h, contract, so, price) => this.router.send(h, contract, so.direction, so.offset, price, so.volume, OrderType.LIMIT),
      changed: (h, so) => this.stopOrderChanged(h, so),
    });
    this.store = new CtaStateStore(
      (state) => this.router.load(state),
      (state) => this.router.dump(state),
      (msg, level) => this.log(msg, CTA_APP_NAME, level),
    );
    this.eventEngine.register(EVENT_TICK, this.processTick);
    this.eventEngine.register(EVENT_ORDER, this.processOrder);
    this.eventEngine.register(EVENT_TRADE, this.processTrade);
  }

  /** Sets the options and loads the state file (the order map and trades already counted). */
  configure(options: CtaEngineOptions = {}): void {
    if (options.stateFile !== undefined) this.store.moveTo(options.stateFile);
    if (options.database !== undefined) this.database = options.database;
    if (options.stopOrders !== undefined) this.stopOrderMode = options.stopOrders;
    if (options.keepFinishedOrders !== undefined) this.router.keepFinishedOrders = count("keepFinishedOrders", options.keepFinishedOrders);
    if (options.keepTradeIds !== undefined) this.router.keepTradeIds = count("keepTradeIds", options.keepTradeIds);
    this.store.forget();
    this.store.load();
  }

  /** The file the state is kept in. */
  get stateFilePath(): string {
    return this.store.path;
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
    const found = await resolveStrategySource(source, this.classes);
    if (!found) {
      const className = (source as { className: string }).className;
      throw this.fail(
        "TW_CTA_LOAD",
        `No strategy class ${className} is known (known: ${[...this.classes.keys()].join(", ") || "none"}): add a strategy from its file first, or registerStrategyClass() it.`,
      );
    }
    const { cls, file } = found;
    this.registerStrategyClass(cls, file);
    const strategy = createStrategy(cls, this, strategyName, vtSymbol, setting);
    const hosted: Hosted = { strategy, cls, file, setting: { ...setting }, chain: undefined, activeOrders: new Set(), error: undefined };
    this.strategies.add(hosted);
    this.saveSetting(hosted);
    this.putStrategyEvent(strategy);
    this.log(`added ${strategyName} (${cls.name}) on ${vtSymbol}`, strategyName);
    return strategy;
  }

  /** Adds back every strategy saved in the state file whose class can be found; returns their names. */
  async restoreStrategies(): Promise<string[]> {
    const state = this.store.load();
    const added: string[] = [];
    for (const [name, saved] of Object.entries(state.strategies)) {
      if (this.strategies.has(name)) continue;
      const source = savedSource(saved, this.classes);
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
    const saved = this.store.load().strategies[strategyName]?.variables;
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
    this.strategies.remove(h);
    this.stopOrders.removeStrategy(strategyName);
    this.store.removeStrategy(strategyName);
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
    return this.router.ownerName(vtOrderid);
  }

  getAllStopOrders(): StopOrder[] {
    return this.stopOrders.all();
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
    const list = this.strategies.onSymbol(tick.vtSymbol);
    if (list === undefined || list.length === 0) return;
    if (this.stopOrders.size > 0) this.stopOrders.check(tick);
    tickStrategies(list, tick, this.strategyFailed);
  };

  private readonly processOrder = (event: Event<OrderData>): void => {
    const order = event.data;
    const h = this.router.onOrder(order);
    if (h) void this.call(h, "onOrder", () => h.strategy.onOrder(order));
  };

  private readonly processTrade = (event: Event<TradeData>): void => {
    const trade = event.data;
    const h = this.router.onTrade(trade);
    if (!h) return;
    const s = h.strategy;
    s.pos += trade.direction === Direction.LONG ? trade.volume : -trade.volume;
    void this.call(h, "onTrade", () => s.onTrade(trade));
    this.syncVariables(h);
    this.putStrategyEvent(s);
  };

  private stopOrderChanged(h: Hosted, so: StopOrder): void {
    const copy = { ...so, vtOrderids: [...so.vtOrderids] };
    this.putEvent(EVENT_CTA_STOPORDER, copy);
    void this.call(h, "onStopOrder", () => h.strategy.onStopOrder(copy));
  }

  // ------------------------------------------------------------------ isolation

  /** Runs one callback of a strategy (after its pending one); a throw or a rejection stops that strategy alone. */
  private call(h: Hosted, what: string, fn: () => unknown): Promise<boolean> | boolean {
    return callStrategy(h, what, fn, this.strategyFailed);
  }

  /** Trading and inited off, its orders cancelled, its stack logged. */
  private readonly strategyFailed = (h: Hosted, what: string, err: unknown): false => {
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
  };

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
    const contract: ContractData | undefined = this.mainEngine.getContract(strategy.vtSymbol);
    if (!contract) {
      this.log(`order of ${strategy.strategyName} not sent: no contract ${strategy.vtSymbol}`, strategy.strategyName, LogLevel.ERROR);
      return [];
    }
    // The backtester's rounding (vnpy's round_to), so both hosts send the same prices.
    const p = roundTo(price, contract.priceTick);
    if (!stop) return this.router.send(h, contract, direction, offset, p, volume, OrderType.LIMIT);
    if (this.stopOrderMode === "auto" && contract.stopSupported) return this.router.send(h, contract, direction, offset, p, volume, OrderType.STOP);
    const datetime = this.mainEngine.getTick(strategy.vtSymbol)?.datetime ?? Date.now();
    return [this.stopOrders.place(h, direction, offset, p, volume, datetime)];
  }

  cancelOrder(strategy: HostedStrategy, vtOrderid: string): void {
    const h = this.strategies.get(strategy.strategyName);
    if (!h) return;
    if (isStopOrderid(vtOrderid)) this.stopOrders.cancel(h, vtOrderid);
    else this.router.cancel(vtOrderid, strategy.strategyName);
  }

  cancelAll(strategy: HostedStrategy): void {
    const h = this.strategies.get(strategy.strategyName);
    if (h) this.cancelOrdersOf(h);
  }

  private cancelOrdersOf(h: Hosted): void {
    const s = h.strategy;
    for (const id of [...h.activeOrders]) this.cancelOrder(s, id);
    this.stopOrders.cancelAll(h);
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

  /** Bars of the `days` before "now", from the configured store or the gateway's history (see history.ts). */
  loadBar(strategy: HostedStrategy, days: number, interval: Interval = Interval.MINUTE): Promise<readonly BarData[]> {
    return loadBars(this.mainEngine, this.database, strategy, days, interval, (msg, source, level) => this.log(msg, source, level));
  }

  loadTick(strategy: HostedStrategy, days: number): Promise<readonly TickData[]> {
    return loadTicks(this.mainEngine, this.database, strategy, days);
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
    this.store.saveVariables(h.strategy.strategyName, h.strategy.getVariables());
  }

  private saveSetting(h: Hosted): void {
    const s = h.strategy;
    const setting = { ...h.setting, ...s.getParameters() };
    this.store.saveSetting(s.strategyName, { className: h.cls.name, ...(h.file !== undefined ? { file: h.file } : {}), vtSymbol: s.vtSymbol, setting });
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
