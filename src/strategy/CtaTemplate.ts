import { TickwireError } from "../event/errors.js";
import { Direction, Interval, Offset } from "../trader/constants.js";
import type { BarData, OrderData, TickData, TradeData } from "../trader/objects.js";
import type { EngineType, HostedStrategy, StopOrder, StrategyHost } from "./StrategyHost.js";

/** A value or a promise of it: every callback may be sync or async. */
export type Awaitable<T> = T | Promise<T>;

/** Parameter values by name, as given to `addStrategy` (only names in `parameters` are used). */
export type StrategySetting = Record<string, unknown>;

/** `{ stop, lock, net }` of `buy`/`sell`/`short`/`cover`, all false by default (vnpy's flags). */
export interface OrderFlags {
  /** A stop order: sent when the market reaches `price` (local unless the venue supports stops). */
  stop?: boolean;
  /** Lock mode: close today's position by opening the other side (SHFE fees). */
  lock?: boolean;
  /** Net mode: the position is one net number, the host splits close/open. */
  net?: boolean;
}

/** What `getData()` returns and the live engine publishes as `eCtaStrategy`. */
export interface StrategyData {
  strategyName: string;
  vtSymbol: string;
  className: string;
  author: string;
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
}

/** A strategy class as the hosts take it. */
export interface CtaStrategyClass<T extends CtaTemplate = CtaTemplate> {
  new (host: StrategyHost, strategyName: string, vtSymbol: string, setting: StrategySetting): T;
  readonly name: string;
  readonly author: string;
  readonly parameters: readonly string[];
  readonly variables: readonly string[];
}

export const TW_STRATEGY_BAD_OPTION = "TW_STRATEGY_BAD_OPTION";

/** Thenable check without `instanceof`, so promises from other realms (workers, vm) count. */
export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== undefined && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/**
 * Call `fn` on each item in order; synchronous while `fn` is, continuing asynchronously from
 * the first item whose call returns a promise (so sync strategies replay history synchronously).
 */
export function replayEach<T>(items: readonly T[], fn: (item: T) => unknown, from = 0): Awaitable<void> {
  for (let i = from; i < items.length; i++) {
    const r = fn(items[i]);
    if (isPromiseLike(r)) return Promise.resolve(r).then(() => replayEach(items, fn, i + 1));
  }
  return undefined;
}

/**
 * vnpy's CtaTemplate: one strategy on one instrument. Subclass it, list the parameter and
 * variable field names in the static `parameters` / `variables`, and override the callbacks.
 * The host (live engine or backtester) calls the callbacks and implements the order methods;
 * the strategy imports nothing from it.
 *
 * Class field initializers of a subclass (`fastWindow = 10`) run after this constructor, so
 * hosts build strategies with `createStrategy`, which applies the setting after construction.
 */
export abstract class CtaTemplate implements HostedStrategy {
  static author = "";
  static parameters: readonly string[] = [];
  static variables: readonly string[] = [];

  readonly host: StrategyHost;
  readonly strategyName: string;
  readonly vtSymbol: string;
  /** True once `onInit` has run (history loaded). */
  inited = false;
  /** True while started: orders are sent only while trading. */
  trading = false;
  /** Net position, changed by the host before `onTrade`. */
  pos = 0;

  constructor(host: StrategyHost, strategyName: string, vtSymbol: string, setting: StrategySetting) {
    this.host = host;
    this.strategyName = strategyName;
    this.vtSymbol = vtSymbol;
    this.updateSetting(setting);
  }

  private get cls(): CtaStrategyClass {
    return this.constructor as CtaStrategyClass;
  }

  /** Set the listed parameters present in `setting` (other keys are ignored, as in vnpy). */
  updateSetting(setting: StrategySetting): void {
    const self = this as unknown as Record<string, unknown>;
    for (const name of this.cls.parameters) {
      if (!Object.prototype.hasOwnProperty.call(setting, name)) continue;
      const value = setting[name];
      const current = self[name];
      // Checked only once the field exists (after construction): a typo'd type fails here, not mid-backtest.
      if (current !== undefined && current !== null && typeof current !== typeof value) {
        throw new TickwireError(
          TW_STRATEGY_BAD_OPTION,
          `Parameter ${name} of ${this.cls.name} is a ${typeof current} (default ${JSON.stringify(current)}), got ${JSON.stringify(value)}: pass a ${typeof current}.`,
          { details: { strategy: this.strategyName, name, value } },
        );
      }
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw new TickwireError(TW_STRATEGY_BAD_OPTION, `Parameter ${name} of ${this.cls.name} must be a finite number, got ${value}.`, {
          details: { strategy: this.strategyName, name, value },
        });
      }
      self[name] = value;
    }
  }

  getParameters(): Record<string, unknown> {
    const self = this as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const name of this.cls.parameters) out[name] = self[name];
    return out;
  }

  getVariables(): Record<string, unknown> {
    const self = this as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = { inited: this.inited, trading: this.trading, pos: this.pos };
    for (const name of this.cls.variables) out[name] = self[name];
    return out;
  }

  getData(): StrategyData {
    return {
      strategyName: this.strategyName,
      vtSymbol: this.vtSymbol,
      className: this.cls.name,
      author: this.cls.author,
      parameters: this.getParameters(),
      variables: this.getVariables(),
    };
  }

  // --- callbacks (override) ---------------------------------------------------------------
  onInit(): Awaitable<void> {}
  onStart(): Awaitable<void> {}
  onStop(): Awaitable<void> {}
  onTick(_tick: TickData): Awaitable<void> {}
  onBar(_bar: BarData): Awaitable<void> {}
  onOrder(_order: OrderData): Awaitable<void> {}
  onTrade(_trade: TradeData): Awaitable<void> {}
  onStopOrder(_stopOrder: StopOrder): Awaitable<void> {}

  // --- trading ----------------------------------------------------------------------------
  /** Open long. */
  buy(price: number, volume: number, flags?: OrderFlags): string[] {
    return this.sendOrder(Direction.LONG, Offset.OPEN, price, volume, flags);
  }
  /** Close long. */
  sell(price: number, volume: number, flags?: OrderFlags): string[] {
    return this.sendOrder(Direction.SHORT, Offset.CLOSE, price, volume, flags);
  }
  /** Open short. */
  short(price: number, volume: number, flags?: OrderFlags): string[] {
    return this.sendOrder(Direction.SHORT, Offset.OPEN, price, volume, flags);
  }
  /** Close short. */
  cover(price: number, volume: number, flags?: OrderFlags): string[] {
    return this.sendOrder(Direction.LONG, Offset.CLOSE, price, volume, flags);
  }

  /** Send an order; returns its vtOrderids, none unless trading. */
  sendOrder(direction: Direction, offset: Offset, price: number, volume: number, flags?: OrderFlags): string[] {
    if (!this.trading) return [];
    return this.host.sendOrder(this, direction, offset, price, volume, flags?.stop === true, flags?.lock === true, flags?.net === true);
  }

  cancelOrder(vtOrderid: string): void {
    if (this.trading) this.host.cancelOrder(this, vtOrderid);
  }

  cancelAll(): void {
    if (this.trading) this.host.cancelAll(this);
  }

  // --- services ---------------------------------------------------------------------------
  writeLog(msg: string): void {
    this.host.writeLog(this, msg);
  }

  getEngineType(): EngineType {
    return this.host.getEngineType();
  }

  getPricetick(): number {
    return this.host.getPricetick(this);
  }

  getSize(): number {
    return this.host.getSize(this);
  }

  /**
   * Replay the bars of the last `days` into `callback` (default `onBar`). Synchronous when the
   * host has the bars at hand (the backtester with `setHistory`), otherwise returns a promise:
   * `await this.loadBar(10)` in an async `onInit` works in every host.
   */
  loadBar(days: number, interval: Interval = Interval.MINUTE, callback?: (bar: BarData) => Awaitable<void>): Awaitable<void> {
    const fn = callback ?? ((bar: BarData) => this.onBar(bar));
    const bars = this.host.loadBar(this, days, interval);
    if (isPromiseLike(bars)) return Promise.resolve(bars).then((b) => replayEach(b, fn));
    return replayEach(bars, fn);
  }

  /** Replay the ticks of the last `days` into `onTick`; see `loadBar`. */
  loadTick(days: number): Awaitable<void> {
    const fn = (tick: TickData) => this.onTick(tick);
    const ticks = this.host.loadTick(this, days);
    if (isPromiseLike(ticks)) return Promise.resolve(ticks).then((t) => replayEach(t, fn));
    return replayEach(ticks, fn);
  }

  /** Publish the strategy's data for a UI (only once inited). */
  putEvent(): void {
    if (this.inited) this.host.putStrategyEvent(this);
  }

  /** Persist the variables (only while trading). */
  syncData(): Awaitable<void> {
    if (this.trading) return this.host.syncStrategyData(this);
    return undefined;
  }
}

/**
 * Build a strategy the way every host must: construct, then apply the setting again, because
 * subclass field initializers ran after the base constructor and reset the parameters.
 */
export function createStrategy<T extends CtaTemplate>(
  cls: CtaStrategyClass<T>,
  host: StrategyHost,
  strategyName: string,
  vtSymbol: string,
  setting: StrategySetting,
): T {
  const strategy = new cls(host, strategyName, vtSymbol, setting);
  strategy.updateSetting(setting);
  return strategy;
}

/**
 * The default parameters of a strategy class (vnpy's `get_class_parameters`). Defaults live in
 * field initializers, so this builds a throwaway instance with a host that refuses every call.
 */
export function getClassParameters(cls: CtaStrategyClass): Record<string, unknown> {
  const refuse = (): never => {
    throw new TickwireError(TW_STRATEGY_BAD_OPTION, `getClassParameters(${cls.name}): the constructor must not call the host.`);
  };
  const host = new Proxy({}, { get: () => refuse }) as StrategyHost;
  return new cls(host, "defaults", "defaults.LOCAL", {}).getParameters();
}
