import { Event } from "../event/Event.js";
import { EventEngine } from "../event/EventEngine.js";
import type { EventEngineOptions, StopOptions } from "../event/engineOptions.js";
import { TickwireError } from "../event/errors.js";
import type { BaseApp } from "./BaseApp.js";
import type { BaseEngine, EngineClass } from "./BaseEngine.js";
import type { Awaitable, BaseGateway, GatewayClass, GatewaySetting, GatewaySettingFor, SettingOf, TraderEventEngine } from "./BaseGateway.js";
import { LogLevel, Status, type Direction, type Exchange } from "./constants.js";
import { vtAccountidOf, vtPositionidOf } from "./ids.js";
import { EVENT_LOG, EVENT_ORDER, type TraderEvents } from "./events.js";
import { LogEngine, type LogEngineOptions } from "./LogEngine.js";
import {
  createLog,
  createOrderData,
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
  describeValue,
  type RequestProblem,
} from "./requestChecks.js";
import type { PreTradeCheck, PreTradeRefusal } from "./PreTradeCheck.js";
import type { TickwireErrorCode } from "../errorCodes.js";

/** Options of MainEngine; every field has a default. */
export interface MainEngineOptions {
  /** Options of the LogEngine, or false for none. Default: pretty console at INFO. */
  log?: LogEngineOptions | false;
  /** Options of the EventEngine made when the constructor is not given one. Default interval 1 s. */
  eventEngine?: EventEngineOptions;
  /** How `close()` stops the event engine (drain deadline). */
  stop?: StopOptions;
}

/** Options of `MainEngine.run()`. */
export interface MainEngineRunOptions {
  /** The signals that end the run. Default: SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[];
}

function noop(): void {}

function refusalError(refusal: PreTradeRefusal, more: Record<string, unknown>): TickwireError {
  // A custom PreTradeCheck may use its own code: it is passed through as it came.
  return new TickwireError(refusal.code as TickwireErrorCode, refusal.message, {
    details: { rule: refusal.rule, limit: refusal.limit, value: refusal.value, ...more },
  });
}

/** The source name of MainEngine's own log lines. */
export const MAIN_ENGINE_LOG_SOURCE = "MainEngine";

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

  private readonly gateways = new Map<string, BaseGateway>();
  private readonly engines = new Map<string, BaseEngine>();
  private readonly apps = new Map<string, BaseApp>();
  private readonly exchanges = new Set<Exchange>();
  private readonly coreEngines: BaseEngine[] = [];
  private readonly appEngines: BaseEngine[] = [];
  private readonly stopOptions: StopOptions;
  private closing: Promise<void> | undefined;
  private running: Promise<NodeJS.Signals | "closed"> | undefined;
  private readonly runWaiters: Array<() => void> = [];
  private preTradeChecks: readonly PreTradeCheck[] = [];
  // Ids of orders refused before any gateway saw them; counted from the start time, so a restarted
  // process does not reuse the ids an earlier one published.
  private refusedSeq = Date.now();

  constructor(eventEngine?: TraderEventEngine, options: MainEngineOptions = {}) {
    // Structural, not instanceof: an engine from another copy of tickwire works as well.
    const ee = eventEngine as unknown as Partial<Record<"register" | "put" | "start", unknown>> | null;
    if (
      eventEngine !== undefined &&
      (typeof ee !== "object" || ee === null || typeof ee.register !== "function" || typeof ee.put !== "function" || typeof ee.start !== "function")
    ) {
      const keys = typeof eventEngine === "object" && eventEngine !== null ? Object.keys(eventEngine) : [];
      const looksLikeOptions = keys.length > 0 && keys.every((k) => k === "log" || k === "eventEngine" || k === "stop");
      throw new TickwireError(
        "TW_TRADER_BAD_OPTION",
        looksLikeOptions
          ? `new MainEngine(eventEngine?, options?): the options go second — new MainEngine(undefined, { ${keys.join(", ")}: … }); the first argument is an EventEngine to use, or undefined for a new one.`
          : `new MainEngine(eventEngine?, options?): the first argument must be an EventEngine (from tickwire/event) or undefined, got ${describeValue(eventEngine)}.`,
        { details: { argument: "eventEngine" } },
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new TickwireError(
        "TW_TRADER_BAD_OPTION",
        `new MainEngine(eventEngine?, options?): options must be an object such as { log: false }, got ${describeValue(options)}.`,
        {
          details: { argument: "options" },
        },
      );
    }
    this.eventEngine = eventEngine ?? new EventEngine<TraderEvents>({ interval: 1, name: "main", ...options.eventEngine });
    this.stopOptions = options.stop ?? {};
    // Log and OMS first: their handlers run before any app's for the same event type.
    if (options.log !== false) {
      this.logEngine = new LogEngine(this, this.eventEngine, options.log ?? {});
      this.registerEngine(this.logEngine);
      this.coreEngines.push(this.logEngine);
    }
    this.oms = new OmsEngine(this, this.eventEngine);
    this.registerEngine(this.oms);
    this.coreEngines.push(this.oms);
    this.eventEngine.start();
  }

  // ------------------------------------------------------------------ composition

  /** Adds a gateway instance (built on this engine's event engine). */
  addGateway<G extends BaseGateway>(gateway: G): G;
  /** Adds a gateway made from its class, named `gatewayName` or the class's `defaultName`. */
  addGateway<G extends BaseGateway>(gatewayClass: GatewayClass<G>, gatewayName?: string): G;
  addGateway<G extends BaseGateway>(gatewayOrClass: G | GatewayClass<G>, gatewayName?: string): G {
    const gateway = typeof gatewayOrClass === "function" ? new gatewayOrClass(this.eventEngine, gatewayName) : gatewayOrClass;
    if (gateway.eventEngine !== this.eventEngine) {
      throw new TickwireError(
        "TW_TRADER_WRONG_ENGINE",
        `Gateway "${gateway.gatewayName}" was built on another event engine: build it with mainEngine.eventEngine, or pass its class.`,
      );
    }
    if (this.gateways.has(gateway.gatewayName)) {
      throw new TickwireError(
        "TW_TRADER_DUPLICATE_GATEWAY",
        `A gateway named "${gateway.gatewayName}" was already added: give the new one another name (addGateway(cls, "NAME")).`,
        { details: { gatewayName: gateway.gatewayName } },
      );
    }
    this.gateways.set(gateway.gatewayName, gateway);
    for (const exchange of gateway.exchanges) this.exchanges.add(exchange);
    return gateway;
  }

  /** Adds a function engine (an instance made for this MainEngine, or its class). */
  addEngine<E extends BaseEngine>(engineOrClass: E | EngineClass<E>): E {
    const engine = typeof engineOrClass === "function" ? new engineOrClass(this, this.eventEngine) : engineOrClass;
    if (engine.mainEngine !== this) {
      throw new TickwireError(
        "TW_TRADER_WRONG_ENGINE",
        `Engine "${engine.engineName}" was made for another MainEngine: pass its class, or construct it with this one.`,
      );
    }
    this.registerEngine(engine);
    return engine;
  }

  /** Adds an app and creates its engine; returns the engine. */
  addApp<E extends BaseEngine>(app: BaseApp<E>): E {
    if (this.apps.has(app.appName)) {
      throw new TickwireError("TW_TRADER_DUPLICATE_APP", `An app named "${app.appName}" was already added; add each app once.`, {
        details: { appName: app.appName },
      });
    }
    const engine = this.addEngine(app.engineClass);
    this.apps.set(app.appName, app as BaseApp);
    this.appEngines.push(engine);
    return engine;
  }

  private registerEngine(engine: BaseEngine): void {
    if (this.engines.has(engine.engineName)) {
      throw new TickwireError("TW_TRADER_DUPLICATE_ENGINE", `An engine named "${engine.engineName}" was already added: engine names must be unique.`, {
        details: { engineName: engine.engineName },
      });
    }
    this.engines.set(engine.engineName, engine);
  }

  hasGateway(gatewayName: string): boolean {
    return this.gateways.has(gatewayName);
  }

  /** The gateway named `gatewayName`; throws TW_TRADER_UNKNOWN_GATEWAY (and logs) if there is none. */
  getGateway<G extends BaseGateway = BaseGateway>(gatewayName: string): G {
    return this.gatewayOrThrow(gatewayName, "getGateway") as G;
  }

  hasEngine(engineName: string): boolean {
    return this.engines.has(engineName);
  }

  /** The engine named `engineName`; throws TW_TRADER_UNKNOWN_ENGINE (and logs) if there is none. */
  getEngine<E extends BaseEngine = BaseEngine>(engineName: string): E {
    const engine = this.engines.get(engineName);
    if (engine !== undefined) return engine as E;
    const msg = `getEngine: no engine named "${engineName}". Engines: ${[...this.engines.keys()].join(", ")}.`;
    this.writeLog(msg, MAIN_ENGINE_LOG_SOURCE, LogLevel.ERROR);
    throw new TickwireError("TW_TRADER_UNKNOWN_ENGINE", msg, { details: { engineName } });
  }

  /** The connect settings (with defaults) of a gateway. */
  getDefaultSetting(gatewayName: string): GatewaySetting {
    return this.gatewayOrThrow(gatewayName, "getDefaultSetting").defaultSetting;
  }

  getAllGatewayNames(): string[] {
    return [...this.gateways.keys()];
  }

  getAllEngineNames(): string[] {
    return [...this.engines.keys()];
  }

  getAllApps(): BaseApp[] {
    return [...this.apps.values()];
  }

  /** Every exchange some added gateway trades on. */
  getAllExchanges(): Exchange[] {
    return [...this.exchanges];
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
    const checks = this.preTradeChecks;
    if (checks.length === 0) return gateway.sendOrder(req);
    for (let i = 0; i < checks.length; i++) {
      const refusal = checks[i].checkOrder(req, gatewayName);
      if (refusal !== undefined) throw this.refuseOrder(req, gatewayName, refusal);
    }
    let sent: Awaitable<string>;
    try {
      sent = gateway.sendOrder(req);
    } catch (error) {
      this.afterSend(checks, req, gatewayName, null);
      throw error;
    }
    if (typeof sent === "string") {
      this.afterSend(checks, req, gatewayName, sent);
      return sent;
    }
    return sent.then(
      (vtOrderid) => {
        this.afterSend(checks, req, gatewayName, vtOrderid);
        return vtOrderid;
      },
      (error: unknown) => {
        this.afterSend(checks, req, gatewayName, null);
        throw error;
      },
    );
  }

  /** Cancels an order through the named gateway, after the pre-trade checks (a refusal throws its error). */
  cancelOrder(req: CancelRequest, gatewayName: string): Awaitable<void> {
    const gateway = this.gatewayOrThrow(gatewayName, "cancelOrder");
    this.refuseMalformed("cancelOrder", cancelRequestFormProblem(req));
    const checks = this.preTradeChecks;
    for (let i = 0; i < checks.length; i++) {
      const refusal = checks[i].checkCancel?.(req, gatewayName);
      if (refusal !== undefined) {
        this.writeLog(`Cancel of ${req.orderid} refused: ${refusal.message}`, MAIN_ENGINE_LOG_SOURCE, LogLevel.WARNING);
        throw refusalError(refusal, { vtSymbol: req.vtSymbol, orderid: req.orderid });
      }
    }
    return gateway.cancelOrder(req);
  }

  /** Adds a check every later sendOrder and cancelOrder runs through (see PreTradeCheck). */
  addPreTradeCheck(check: PreTradeCheck): void {
    if (!this.preTradeChecks.includes(check)) this.preTradeChecks = [...this.preTradeChecks, check];
  }

  removePreTradeCheck(check: PreTradeCheck): void {
    this.preTradeChecks = this.preTradeChecks.filter((c) => c !== check);
  }

  private afterSend(checks: readonly PreTradeCheck[], req: OrderRequest, gatewayName: string, vtOrderid: string | null): void {
    for (let i = 0; i < checks.length; i++) checks[i].afterSend?.(req, gatewayName, vtOrderid);
  }

  /** Puts the REJECTED order event of a refused order (as a gateway would) and returns the error to throw. */
  private refuseOrder(req: OrderRequest, gatewayName: string, refusal: PreTradeRefusal): TickwireError {
    let vtOrderid = "";
    try {
      const order = createOrderData(req, `risk-${++this.refusedSeq}`, gatewayName);
      order.status = Status.REJECTED;
      order.statusMsg = refusal.message;
      vtOrderid = order.vtOrderid;
      this.eventEngine.put(new Event(EVENT_ORDER, order));
      this.eventEngine.put(new Event(`${EVENT_ORDER}${vtOrderid}`, order));
    } catch {
      // A request too malformed to make an order of (no symbol): the caller still gets the refusal.
    }
    return refusalError(refusal, { vtSymbol: req.vtSymbol, vtOrderid });
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
    const gateway = typeof gatewayName === "string" ? this.gateways.get(gatewayName) : undefined;
    if (gateway !== undefined) return gateway;
    const known = [...this.gateways.keys()].join(", ") || "none";
    // From an RPC client the name can be anything (JSON.stringify throws on a BigInt).
    const msg = `${action}: no gateway named ${describeValue(gatewayName)} (gateways: ${known}). Add it with addGateway() or fix the name.`;
    this.writeLog(msg, MAIN_ENGINE_LOG_SOURCE, LogLevel.ERROR);
    throw new TickwireError("TW_TRADER_UNKNOWN_GATEWAY", msg, { details: { gatewayName, action } });
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

  private async runUntilSignal(options: MainEngineRunOptions): Promise<NodeJS.Signals | "closed"> {
    const signals = options.signals ?? ["SIGINT", "SIGTERM"];
    if (!Array.isArray(signals) || signals.length === 0 || signals.some((s) => typeof s !== "string")) {
      throw new TickwireError(
        "TW_TRADER_BAD_OPTION",
        `run({ signals }) takes a non-empty list of signal names such as ["SIGINT", "SIGTERM"]; got ${describeValue(signals)}.`,
      );
    }
    const keepAlive = setInterval(noop, 2 ** 31 - 1);
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received !== undefined) {
        process.exit(signal === "SIGTERM" ? 143 : 130);
      }
      received = signal;
      this.writeLog(`Received ${signal}: closing (send it again to exit at once)`);
      void this.close().catch(noop);
    };
    for (const s of signals) process.on(s, onSignal);
    this.writeLog(`Running until ${signals.join(" or ")}`);
    try {
      // close() from a signal or from anyone else: wait for it, then report why
      await new Promise<void>((resolve, reject) => {
        const poll = (): void => {
          if (this.closing) this.closing.then(resolve, reject);
          else this.runWaiters.push(poll);
        };
        poll();
      });
    } finally {
      clearInterval(keepAlive);
      for (const s of signals) process.off(s, onSignal);
    }
    return received ?? "closed";
  }

  private async closeAll(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (what: string, fn: () => unknown): Promise<void> => {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
        this.writeLog(`close: ${what} failed: ${String(error)}`, MAIN_ENGINE_LOG_SOURCE, LogLevel.ERROR);
      }
    };
    const appEngines = new Set(this.appEngines);
    const core = new Set(this.coreEngines);
    for (const engine of [...this.appEngines].reverse()) {
      await attempt(`engine ${engine.engineName}`, () => engine.close());
    }
    const others = [...this.engines.values()].filter((e) => !appEngines.has(e) && !core.has(e)).reverse();
    for (const engine of others) await attempt(`engine ${engine.engineName}`, () => engine.close());
    for (const gateway of this.gateways.values()) {
      await attempt(`gateway ${gateway.gatewayName}`, () => gateway.close());
    }
    await attempt("event engine", () => this.eventEngine.stop(this.stopOptions));
    for (const engine of [...this.coreEngines].reverse()) {
      // The event engine has stopped: a failure here can only be written straight to the log.
      try {
        await engine.close();
      } catch (error) {
        errors.push(error);
        this.logEngine?.write(
          createLog({ msg: `close: engine ${engine.engineName} failed: ${String(error)}`, gatewayName: MAIN_ENGINE_LOG_SOURCE, level: LogLevel.ERROR }),
        );
      }
    }
    if (errors.length > 0) {
      throw new TickwireError("TW_TRADER_CLOSE_FAILED", `${errors.length} part(s) failed to close (see the log and error.cause); everything else was closed.`, {
        cause: errors.length === 1 ? errors[0] : new AggregateError(errors),
      });
    }
  }
}
