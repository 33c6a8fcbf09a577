import { Event } from "../event/Event.js";
import { TickwireError } from "../event/errors.js";
import type { TickwireErrorCode } from "../errorCodes.js";
import type { AnyErrorCode } from "../event/errors.js";
import type { EventEngine } from "../event/EventEngine.js";
import type { AllEvents, EventType } from "../event/HandlerTable.js";
import { GatewayStatus, LogLevel, type Exchange } from "./constants.js";
import { EVENT_ACCOUNT, EVENT_CONTRACT, EVENT_GATEWAY, EVENT_LOG, EVENT_ORDER, EVENT_POSITION, EVENT_TICK, EVENT_TRADE, type TraderEvents } from "./events.js";
import { assertIdPart } from "./ids.js";
import {
  createGatewayStatus,
  createLog,
  type AccountData,
  type BarData,
  type CancelRequest,
  type ContractData,
  type HistoryRequest,
  type LogData,
  type OrderData,
  type OrderRequest,
  type PositionData,
  type SubscribeRequest,
  type TickData,
  type TradeData,
} from "./objects.js";

/** A value or a promise of it: local gateways answer at once, remote ones later. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Connect settings of a gateway (the fields of a connect form, or a JSON file). Values come from
 * outside the program, so gateways validate them in `connect`.
 */
export type GatewaySetting = Readonly<Record<string, unknown>>;

/**
 * The connect settings of gateways by their default name, so `mainEngine.connect(setting, "SIM")`
 * is typed. A gateway module adds its own (tickwire/gateways/sim adds SIM, tickwire/gateways/rpc
 * adds RPC):
 *
 *   declare module "tickwire/trader" { interface GatewaySettingsByName { MY: MyGatewaySetting } }
 *
 * A name not listed here takes any GatewaySetting (the gateway still checks it at run time).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GatewaySettingsByName {}

/** The settings a gateway's `connect` takes. */
export type SettingOf<G> = G extends { connect(setting: infer S): unknown } ? NonNullable<S> : GatewaySetting;

/** The settings of the gateway named `N` (see GatewaySettingsByName), else any GatewaySetting. */
export type GatewaySettingFor<N extends string> = N extends keyof GatewaySettingsByName ? GatewaySettingsByName[N] : GatewaySetting;

/**
 * Refuses a setting key the gateway does not know (a typo such as `sed` for `seed` would
 * otherwise run silently with the default): throws TickwireError `code` naming the key and the
 * known ones.
 */
export function refuseUnknownSettings(setting: unknown, known: readonly string[], code: AnyErrorCode, gatewayName: string): void {
  if (setting === undefined) return;
  if (typeof setting !== "object" || setting === null || Array.isArray(setting)) {
    throw new TickwireError(
      code as TickwireErrorCode,
      `The settings of gateway ${gatewayName} must be an object such as { ${known[0] ?? "key"}: … }, got ${setting === null ? "null" : Array.isArray(setting) ? "an array" : typeof setting}.`,
      {
        details: { known: [...known] },
      },
    );
  }
  for (const key of Object.keys(setting)) {
    if (!known.includes(key)) {
      throw new TickwireError(code as TickwireErrorCode, `Unknown setting "${key}" for gateway ${gatewayName}: the known settings are ${known.join(", ")}.`, {
        details: { setting: key, known: [...known] },
      });
    }
  }
}

/** The engine type gateways and engines of the trading domain run on. */
export type TraderEventEngine = EventEngine<TraderEvents>;

/** A concrete gateway class, as `MainEngine.addGateway` takes it. */
export interface GatewayClass<G extends BaseGateway = BaseGateway> {
  new (eventEngine: TraderEventEngine, gatewayName?: string): G;
  readonly defaultName: string;
  readonly defaultSetting: GatewaySetting;
  readonly exchanges: readonly Exchange[];
}

/**
 * The base of every gateway (a connection to a market: an exchange, a broker, the simulator, a
 * remote tickwire). A subclass declares `static defaultName`, `static defaultSetting` and
 * `static exchanges`, implements the abstract methods, and reports everything it learns only
 * through the push helpers (`onTick`, `onOrder`, ...), which put events on the event engine.
 *
 * Contract (after vnpy): methods never block the event loop; `sendOrder` makes the OrderData with
 * `createOrderData(req, orderid, this.gatewayName)`, pushes it with `onOrder` (SUBMITTING, or
 * REJECTED with a `statusMsg`) and returns its vtOrderid; objects passed to `on*` are not changed
 * afterwards (push a copy); on connect, push contracts, account, positions, orders and trades.
 */
export abstract class BaseGateway {
  /** The name used when `addGateway` is not given one. Override in the subclass (no dots). */
  static readonly defaultName: string = "";
  /** The connect settings and their default values. Override in the subclass. */
  static readonly defaultSetting: GatewaySetting = {};
  /** The exchanges this gateway trades on. Override in the subclass. */
  static readonly exchanges: readonly Exchange[] = [];

  readonly eventEngine: TraderEventEngine;
  readonly gatewayName: string;
  private state: GatewayStatus = GatewayStatus.DISCONNECTED;
  private wasConnected = false;
  // Keyed event types made once per key: the engine looks handlers up by type, and a string it
  // has seen before has its hash cached, where a fresh concatenation per push must be hashed anew.
  private readonly tickTypes = new KeyedTypes(EVENT_TICK);
  private readonly tradeTypes = new KeyedTypes(EVENT_TRADE);
  private readonly positionTypes = new KeyedTypes(EVENT_POSITION);
  private readonly accountTypes = new KeyedTypes(EVENT_ACCOUNT);
  // Order ids do not repeat across orders (a cache per order would grow forever), but one order's
  // updates come in a row (SUBMITTING, NOTTRADED, ALLTRADED): keep the last one's type.
  private lastOrderKey = "";
  private lastOrderType: `eOrder.${string}` = EVENT_ORDER;

  constructor(eventEngine: TraderEventEngine, gatewayName?: string) {
    const name = gatewayName ?? (this.constructor as GatewayClass).defaultName;
    assertIdPart("gatewayName", name);
    this.eventEngine = eventEngine;
    this.gatewayName = name;
  }

  get defaultName(): string {
    return (this.constructor as GatewayClass).defaultName;
  }

  get defaultSetting(): GatewaySetting {
    return (this.constructor as GatewayClass).defaultSetting;
  }

  get exchanges(): readonly Exchange[] {
    return (this.constructor as GatewayClass).exchanges;
  }

  /** The last connection state reported (DISCONNECTED before the first connect). */
  get connectionStatus(): GatewayStatus {
    return this.state;
  }

  // ------------------------------------------------------------------ what a gateway does

  /** Connects with `setting` (validated by the gateway) and starts pushing data. */
  abstract connect(setting: GatewaySetting): Promise<void>;
  /** Disconnects and releases everything (timers, sockets); resolves when done. */
  abstract close(): Promise<void>;
  abstract subscribe(req: SubscribeRequest): Awaitable<void>;
  /** Sends an order and returns its vtOrderid. */
  abstract sendOrder(req: OrderRequest): Awaitable<string>;
  abstract cancelOrder(req: CancelRequest): Awaitable<void>;
  /** Asks for the account; the answer arrives as `onAccount` pushes. */
  abstract queryAccount(): Awaitable<void>;
  /** Asks for the positions; the answers arrive as `onPosition` pushes. */
  abstract queryPosition(): Awaitable<void>;
  abstract queryHistory(req: HistoryRequest): Awaitable<BarData[]>;

  // ------------------------------------------------------------------ push helpers

  /** Puts one event on the engine. */
  onEvent<K extends EventType<TraderEvents>>(type: K, data: AllEvents<TraderEvents>[K]): void {
    this.eventEngine.put(new Event(type, data));
  }

  onTick(tick: TickData): void {
    const ee = this.eventEngine;
    ee.put(new Event(EVENT_TICK, tick));
    ee.put(new Event(this.tickTypes.of(tick.vtSymbol), tick));
  }

  onTrade(trade: TradeData): void {
    const ee = this.eventEngine;
    ee.put(new Event(EVENT_TRADE, trade));
    ee.put(new Event(this.tradeTypes.of(trade.vtSymbol), trade));
  }

  onOrder(order: OrderData): void {
    const ee = this.eventEngine;
    ee.put(new Event(EVENT_ORDER, order));
    if (order.vtOrderid !== this.lastOrderKey) {
      this.lastOrderKey = order.vtOrderid;
      this.lastOrderType = `${EVENT_ORDER}${order.vtOrderid}`;
    }
    ee.put(new Event(this.lastOrderType, order));
  }

  onPosition(position: PositionData): void {
    const ee = this.eventEngine;
    ee.put(new Event(EVENT_POSITION, position));
    ee.put(new Event(this.positionTypes.of(position.vtSymbol), position));
  }

  onAccount(account: AccountData): void {
    const ee = this.eventEngine;
    ee.put(new Event(EVENT_ACCOUNT, account));
    ee.put(new Event(this.accountTypes.of(account.vtAccountid), account));
  }

  /** Contracts are published under the general type only (as in vnpy). */
  onContract(contract: ContractData): void {
    this.eventEngine.put(new Event(EVENT_CONTRACT, contract));
  }

  onLog(log: LogData): void {
    this.eventEngine.put(new Event(EVENT_LOG, log));
  }

  /** Logs `msg` with this gateway as the source. */
  writeLog(msg: string, level: LogLevel = LogLevel.INFO): void {
    this.onLog(createLog({ msg, level, gatewayName: this.gatewayName }));
  }

  // ------------------------------------------------------------------ connection state

  /** Reports that the gateway is (re)trying to connect. */
  onConnecting(msg = ""): void {
    this.report(GatewayStatus.CONNECTING, msg);
  }

  /** Reports a live connection: CONNECTED the first time, RECONNECTED after any disconnect. */
  onConnected(msg = ""): void {
    this.report(this.wasConnected ? GatewayStatus.RECONNECTED : GatewayStatus.CONNECTED, msg);
    this.wasConnected = true;
  }

  /** Reports a lost (or closed) connection; `msg` says why. */
  onDisconnected(msg = ""): void {
    this.report(GatewayStatus.DISCONNECTED, msg);
  }

  private report(status: GatewayStatus, msg: string): void {
    // A retry loop reports CONNECTING again and again; only changes are news.
    if (status === this.state) return;
    const live = this.state === GatewayStatus.CONNECTED || this.state === GatewayStatus.RECONNECTED;
    if (live && (status === GatewayStatus.CONNECTED || status === GatewayStatus.RECONNECTED)) return;
    this.state = status;
    const data = createGatewayStatus({ gatewayName: this.gatewayName, status, msg });
    const ee = this.eventEngine;
    ee.put(new Event(EVENT_GATEWAY, data));
    ee.put(new Event(`${EVENT_GATEWAY}${this.gatewayName}` as const, data));
  }
}

/** The keyed event type (`prefix + key`) of each key, made once. Keys are instruments or accounts: a bounded set. */
class KeyedTypes<P extends string> {
  private readonly types = new Map<string, `${P}${string}`>();
  private readonly prefix: P;

  constructor(prefix: P) {
    this.prefix = prefix;
  }

  of(key: string): `${P}${string}` {
    let type = this.types.get(key);
    if (type === undefined) {
      type = `${this.prefix}${key}`;
      this.types.set(key, type);
    }
    return type;
  }
}
