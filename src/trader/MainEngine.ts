import { Event } from "../event/Event.js";
import { EventEngine } from "../event/EventEngine.js";
import type { StopOptions } from "../event/engineOptions.js";
import { TickwireError } from "../event/errors.js";
import type { BaseApp } from "./BaseApp.js";
import type { BaseEngine, EngineClass } from "./BaseEngine.js";
import type { Awaitable, BaseGateway, GatewayClass, GatewaySetting, GatewaySettingFor, SettingOf, TraderEventEngine } from "./BaseGateway.js";
import { LogLevel, type Direction, type Exchange } from "./constants.js";
import { vtAccountidOf, vtPositionidOf } from "./ids.js";
import { EVENT_LOG, type TraderEvents } from "./events.js";
import { LogEngine } from "./LogEngine.js";
import {
  createLog,
  type AccountData,
  type BarData,
  type CancelRequest,
  type ContractData,
  type GatewayStatusData,
  type HistoryRequest,
  type OrderData,
  type OrderRequest,
  type PositionData,
  type SubscribeRequest,
  type TickData,
  type TradeData,
} from "./objects.js";
import { OmsEngine } from "./OmsEngine.js";
import {
  badRequestError,
  cancelRequestFormProblem,
  historyRequestFormProblem,
  orderRequestFormProblem,
  subscribeRequestFormProblem,
  type RequestProblem,
} from "./requestChecks.js";
import type { PreTradeCheck } from "./PreTradeCheck.js";
import { PreTradeGate } from "./PreTradeGate.js";
import { TraderRegistry } from "./TraderRegistry.js";
import { MAIN_ENGINE_LOG_SOURCE, checkMainEngineArguments, noop, type MainEngineOptions, type MainEngineRunOptions } from "./mainEngineOptions.js";
import { closeInOrder, runUntilSignal } from "./mainEngineClose.js";

export { MAIN_ENGINE_LOG_SOURCE } from "./mainEngineOptions.js";
export type { MainEngineOptions, MainEngineRunOptions } from "./mainEngineOptions.js";

/**
 * The core of a trading process (vnpy's MainEngine): owns the event engine, the gateways, the
 * function engines and the apps; routes requests to the gateway named in each call; answers
 * state queries from the OMS.
 *
 *   const main = new MainEngine();           // makes and starts an EventEngine, adds log + oms
 *   main.addGateway(SimGateway);             // named SimGateway.defaultName, e.g. "SIM"
 *   await main.connect({}, "SIM");
 *   const vtOrderid = await main.sendOrder(req, "SIM");
 *   await main.close();                      // apps, then gateways, then the event engine
 *
 * Naming a gateway that was not added throws TickwireError TW_TRADER_UNKNOWN_GATEWAY (async
 * methods reject with it) and writes an ERROR log line.
 */
export class MainEngine {
  readonly eventEngine: TraderEventEngine;
  /** The order management system (engine "oms"). */
  readonly oms: OmsEngine;
  /** The log engine (engine "log"), unless options.log was false. */
  readonly logEngine: LogEngine | undefined;

  private readonly registry: TraderRegistry;
  private readonly stopOptions: StopOptions;
  private closing: Promise<void> | undefined;
  private running: Promise<NodeJS.Signals | "closed"> | undefined;
  private readonly runWaiters: Array<() => void> = [];
  private readonly preTrade: PreTradeGate;

  constructor(eventEngine?: TraderEventEngine, options: MainEngineOptions = {}) {
    checkMainEngineArguments(eventEngine, options);
    this.eventEngine = eventEngine ?? new EventEngine<TraderEvents>({ interval: 1, name: "main", ...options.eventEngine });
    this.stopOptions = options.stop ?? {};
    const writeLog = (msg: string, source: string, level: LogLevel): void => this.writeLog(msg, source, level);
    this.registry = new TraderRegistry(this.eventEngine, writeLog);
    this.preTrade = new PreTradeGate(this.eventEngine, writeLog);
    // Log and OMS first: their handlers run before any app's for the same event type.
    if (options.log !== false) {
      this.logEngine = new LogEngine(this, this.eventEngine, options.log ?? {});
      this.registry.addCoreEngine(this.logEngine);
    }
    this.oms = new OmsEngine(this, this.eventEngine);
    this.registry.addCoreEngine(this.oms);
    this.eventEngine.start();
  }

  // ------------------------------------------------------------------ composition

  /** Adds a gateway instance (built on this engine's event engine). */
  addGateway<G extends BaseGateway>(gateway: G): G;
  /** Adds a gateway made from its class, named `gatewayName` or the class's `defaultName`. */
  addGateway<G extends BaseGateway>(gatewayClass: GatewayClass<G>, gatewayName?: string): G;
  addGateway<G extends BaseGateway>(gatewayOrClass: G | GatewayClass<G>, gatewayName?: string): G {
    const gateway = typeof gatewayOrClass === "function" ? new gatewayOrClass(this.eventEngine, gatewayName) : gatewayOrClass;
    this.registry.addGateway(gateway);
    return gateway;
  }

  /** Adds a function engine (an instance made for this MainEngine, or its class). */
  addEngine<E extends BaseEngine>(engineOrClass: E | EngineClass<E>): E {
    const engine = typeof engineOrClass === "function" ? new engineOrClass(this, this.eventEngine) : engineOrClass;
    this.registry.addEngine(engine, this);
    return engine;
  }

  /** Adds an app and creates its engine; returns the engine. */
  addApp<E extends BaseEngine>(app: BaseApp<E>): E {
    return this.registry.addApp(app, () => this.addEngine(app.engineClass));
  }

  hasGateway(gatewayName: string): boolean {
    return this.registry.gateways.has(gatewayName);
  }

  /** The gateway named `gatewayName`; throws TW_TRADER_UNKNOWN_GATEWAY (and logs) if there is none. */
  getGateway<G extends BaseGateway = BaseGateway>(gatewayName: string): G {
    return this.gatewayOrThrow(gatewayName, "getGateway") as G;
  }

  hasEngine(engineName: string): boolean {
    return this.registry.engines.has(engineName);
  }

  /** The engine named `engineName`; throws TW_TRADER_UNKNOWN_ENGINE (and logs) if there is none. */
  getEngine<E extends BaseEngine = BaseEngine>(engineName: string): E {
    return this.registry.engine(engineName) as E;
  }

  /** The connect settings (with defaults) of a gateway. */
  getDefaultSetting(gatewayName: string): GatewaySetting {
    return this.gatewayOrThrow(gatewayName, "getDefaultSetting").defaultSetting;
  }

  getAllGatewayNames(): string[] {
    return [...this.registry.gateways.keys()];
  }

  getAllEngineNames(): string[] {
    return [...this.registry.engines.keys()];
  }

  getAllApps(): BaseApp[] {
    return [...this.registry.apps.values()];
  }

  /** Every exchange some added gateway trades on. */
  getAllExchanges(): Exchange[] {
    return [...this.registry.exchanges];
  }

  // ------------------------------------------------------------------ routing

  /**
   * Connects the named gateway and resolves once the engine has dispatched what the gateway pushed
   * while connecting (contracts, account, positions), so the OMS answers right after
   * `await connect()`. A gateway that learns its state later (a remote one) has its own way to wait
   * for it, e.g. RpcGateway.whenSynced().
   */
  connect<G extends BaseGateway>(setting: SettingOf<G>, gateway: G): Promise<void>;
  connect<N extends string>(setting: GatewaySettingFor<N>, gatewayName: N): Promise<void>;
  async connect(setting: GatewaySetting, gatewayOrName: string | BaseGateway): Promise<void> {
    const gatewayName = typeof gatewayOrName === "object" && gatewayOrName !== null ? gatewayOrName.gatewayName : gatewayOrName;
    const gateway = this.gatewayOrThrow(gatewayName, "connect");
    if (typeof gatewayOrName === "object" && gatewayOrName !== null && gateway !== gatewayOrName) {
      throw new TickwireError(
        "TW_TRADER_UNKNOWN_GATEWAY",
        `connect: the gateway object named "${gatewayName}" is not the one added to this MainEngine: pass what addGateway() returned.`,
        {
          details: { gatewayName, action: "connect" },
        },
      );
    }
    this.writeLog(`Connecting gateway ${gatewayName}`);
    await gateway.connect(setting);
    // A barrier, not waitForIdle(): a gateway streaming ticks may never leave the queue empty.
    // A stopped engine would hold it forever, and one stopping drops it: neither fails the connect.
    if (this.eventEngine.running) await this.eventEngine.submit(noop).then(noop, noop);
  }

  // Requests may come from an untrusted caller (rpc-service forwards its clients' calls here): a
  // malformed one (not an object, NaN, a string for a number) throws TW_TRADER_BAD_REQUEST before
  // any gateway sees it. Values a market refuses (volume 0, off the tick) are the gateway's REJECTED.

  subscribe(req: SubscribeRequest, gatewayName: string): Awaitable<void> {
    const gateway = this.gatewayOrThrow(gatewayName, "subscribe");
    this.refuseMalformed("subscribe", subscribeRequestFormProblem(req));
    return gateway.subscribe(req);
  }

  /**
   * Sends an order through the named gateway; returns (a promise of, for remote gateways) its
   * vtOrderid. A malformed request throws TW_TRADER_BAD_REQUEST (see requestChecks.ts); then the
   * pre-trade checks run: a refused order never reaches the gateway, an order event with status
   * REJECTED and the reason is put, and the call throws the refusal's TickwireError (TW_RISK_…, details `{ rule, limit, value, vtOrderid }`).
   */
  sendOrder(req: OrderRequest, gatewayName: string): Awaitable<string> {
    const gateway = this.gatewayOrThrow(gatewayName, "sendOrder");
    // Malformed requests first, so a NaN never reaches a risk rule.
    this.refuseMalformed("sendOrder", orderRequestFormProblem(req));
    return this.preTrade.sendOrder(gateway, req, gatewayName);
  }

  /** Cancels an order through the named gateway, after the pre-trade checks (a refusal throws its error). */
  cancelOrder(req: CancelRequest, gatewayName: string): Awaitable<void> {
    const gateway = this.gatewayOrThrow(gatewayName, "cancelOrder");
    this.refuseMalformed("cancelOrder", cancelRequestFormProblem(req));
    return this.preTrade.cancelOrder(gateway, req, gatewayName);
  }

  /** Adds a check every later sendOrder and cancelOrder runs through (see PreTradeCheck). */
  addPreTradeCheck(check: PreTradeCheck): void {
    this.preTrade.add(check);
  }

  removePreTradeCheck(check: PreTradeCheck): void {
    this.preTrade.remove(check);
  }

  queryAccount(gatewayName: string): Awaitable<void> {
    return this.gatewayOrThrow(gatewayName, "queryAccount").queryAccount();
  }

  queryPosition(gatewayName: string): Awaitable<void> {
    return this.gatewayOrThrow(gatewayName, "queryPosition").queryPosition();
  }

  queryHistory(req: HistoryRequest, gatewayName: string): Awaitable<BarData[]> {
    const gateway = this.gatewayOrThrow(gatewayName, "queryHistory");
    this.refuseMalformed("queryHistory", historyRequestFormProblem(req));
    return gateway.queryHistory(req);
  }

  private refuseMalformed(action: string, problem: RequestProblem | undefined): void {
    if (problem === undefined) return;
    const error = badRequestError(action, problem);
    this.writeLog(error.message, MAIN_ENGINE_LOG_SOURCE, LogLevel.WARNING);
    throw error;
  }

  private gatewayOrThrow(gatewayName: string, action: string): BaseGateway {
    return this.registry.gateway(gatewayName, action);
  }

  // ------------------------------------------------------------------ logging

  /** Puts an eLog event with `source` as its gatewayName. */
  writeLog(msg: string, source: string = MAIN_ENGINE_LOG_SOURCE, level: LogLevel = LogLevel.INFO): void {
    this.eventEngine.put(new Event(EVENT_LOG, createLog({ msg, gatewayName: source, level })));
  }

  // ------------------------------------------------------------------ OMS getters

  getTick(vtSymbol: string): TickData | undefined {
    return this.oms.getTick(vtSymbol);
  }

  getOrder(vtOrderid: string): OrderData | undefined {
    return this.oms.getOrder(vtOrderid);
  }

  getTrade(vtTradeid: string): TradeData | undefined {
    return this.oms.getTrade(vtTradeid);
  }

  getPosition(vtPositionid: string): PositionData | undefined {
    return this.oms.getPosition(vtPositionid);
  }

  getAccount(vtAccountid: string): AccountData | undefined {
    return this.oms.getAccount(vtAccountid);
  }

  getContract(vtSymbol: string): ContractData | undefined {
    return this.oms.getContract(vtSymbol);
  }

  getGatewayStatus(gatewayName: string): GatewayStatusData | undefined {
    return this.oms.getGatewayStatus(gatewayName);
  }

  getAllTicks(): TickData[] {
    return this.oms.getAllTicks();
  }

  getAllOrders(): OrderData[] {
    return this.oms.getAllOrders();
  }

  getAllTrades(): TradeData[] {
    return this.oms.getAllTrades();
  }

  getAllPositions(): PositionData[] {
    return this.oms.getAllPositions();
  }

  /** The position of `vtSymbol` in `direction` at gateway `gatewayName` (vtPositionidOf builds the id). */
  getPositionOf(vtSymbol: string, direction: Direction, gatewayName: string): PositionData | undefined {
    return this.oms.getPosition(vtPositionidOf(gatewayName, vtSymbol, direction));
  }

  /** The account `accountid` at gateway `gatewayName` (vtAccountidOf builds the id). */
  getAccountOf(gatewayName: string, accountid: string): AccountData | undefined {
    return this.oms.getAccount(vtAccountidOf(gatewayName, accountid));
  }

  getAllAccounts(): AccountData[] {
    return this.oms.getAllAccounts();
  }

  getAllContracts(): ContractData[] {
    return this.oms.getAllContracts();
  }

  getAllActiveOrders(vtSymbol?: string): OrderData[] {
    return this.oms.getAllActiveOrders(vtSymbol);
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Closes everything, in this order: app engines (newest first) so they stop trading, other
   * added engines, then gateways, then the event engine (which first dispatches what is queued,
   * so the OMS and the log see the last updates), then the OMS and log engines. A part that fails
   * to close is logged and the rest still close; the returned promise then rejects with
   * TW_TRADER_CLOSE_FAILED. Calling close() again returns the same promise.
   */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = this.closeAll();
      for (const w of this.runWaiters.splice(0)) w();
    }
    return this.closing;
  }

  /**
   * Keeps the process running until SIGINT or SIGTERM (Ctrl+C, `kill`), then `close()`s
   * everything in the order above and resolves with the signal; a `close()` called from elsewhere
   * ends it too (resolving with "closed"). The gateways' own timers do not hold the process (the
   * sim's are unref'd), so a program that only reacts to events ends with `await main.run()`.
   * A second signal while closing exits at once (code 130 for SIGINT, 143 for SIGTERM). Calling
   * run() again returns the same promise.
   *
   *   await main.connect({}, "SIM");
   *   main.eventEngine.register("eTick.", (e) => console.log(e.data.vtSymbol, e.data.lastPrice));
   *   await main.run();                        // Ctrl+C: closes, then resolves
   */
  run(options: MainEngineRunOptions = {}): Promise<NodeJS.Signals | "closed"> {
    this.running ??= this.runUntilSignal(options);
    return this.running;
  }

  private runUntilSignal(options: MainEngineRunOptions): Promise<NodeJS.Signals | "closed"> {
    return runUntilSignal(
      { writeLog: (msg) => this.writeLog(msg), close: () => this.close(), closing: () => this.closing, runWaiters: this.runWaiters },
      options,
    );
  }

  private closeAll(): Promise<void> {
    return closeInOrder({
      appEngines: this.registry.appEngines,
      coreEngines: this.registry.coreEngines,
      engines: this.registry.engines.values(),
      gateways: this.registry.gateways.values(),
      eventEngine: this.eventEngine,
      stopOptions: this.stopOptions,
      logEngine: this.logEngine,
      writeLog: (msg, source, level) => this.writeLog(msg, source, level),
    });
  }
}
