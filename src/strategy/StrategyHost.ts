import type { Direction, Interval, Offset } from "../trader/constants.js";
import type { BarData, TickData } from "../trader/objects.js";

/** Where a strategy runs: the live engine or the backtester (vnpy's `EngineType`). */
export const EngineType = {
  LIVE: "LIVE",
  BACKTESTING: "BACKTESTING",
} as const;
export type EngineType = (typeof EngineType)[keyof typeof EngineType];

/** Prefix of the ids of local stop orders (`STOP.1`), as vnpy's `STOPORDER_PREFIX`. */
export const STOPORDER_PREFIX = "STOP";

/** State of a local stop order. */
export const StopOrderStatus = {
  WAITING: "WAITING",
  CANCELLED: "CANCELLED",
  TRIGGERED: "TRIGGERED",
} as const;
export type StopOrderStatus = (typeof StopOrderStatus)[keyof typeof StopOrderStatus];

/** A stop order kept by the host (not by the exchange) until the market crosses its price. */
export interface StopOrder {
  vtSymbol: string;
  direction: Direction;
  offset: Offset;
  price: number;
  volume: number;
  /** `STOP.<n>`. */
  stopOrderid: string;
  strategyName: string;
  /** When it was sent, epoch ms. */
  datetime: number;
  lock: boolean;
  net: boolean;
  /** The ids of the orders sent when it triggered. */
  vtOrderids: string[];
  status: StopOrderStatus;
}

/** What a host needs to know about the strategy that calls it: a structural view, no class. */
export interface HostedStrategy {
  readonly strategyName: string;
  readonly vtSymbol: string;
}

/**
 * Everything a strategy asks of the engine that runs it (vnpy's `cta_engine` as the template
 * calls it). The live engine (`apps/cta`), the backtester (`apps/backtest`) and an optimization
 * worker each implement it; a strategy imports none of them. Calls are synchronous where a
 * strategy's decision depends on the answer (order ids), so callbacks behave the same in every
 * host; history may come back as a promise.
 */
export interface StrategyHost {
  /** Send an order (a local stop order when `stop`); returns the vtOrderids it made. */
  sendOrder(
    strategy: HostedStrategy,
    direction: Direction,
    offset: Offset,
    price: number,
    volume: number,
    stop: boolean,
    lock: boolean,
    net: boolean,
  ): string[];
  /** Cancel one order or local stop order (`STOP.` prefix) of the strategy. */
  cancelOrder(strategy: HostedStrategy, vtOrderid: string): void;
  /** Cancel every active order and stop order of the strategy. */
  cancelAll(strategy: HostedStrategy): void;
  writeLog(strategy: HostedStrategy, msg: string): void;
  getEngineType(): EngineType;
  getPricetick(strategy: HostedStrategy): number;
  getSize(strategy: HostedStrategy): number;
  /** Bars of the `days` before now (live) or before the backtest start, oldest first. */
  loadBar(strategy: HostedStrategy, days: number, interval: Interval): readonly BarData[] | Promise<readonly BarData[]>;
  /** Ticks of the `days` before now (live) or before the backtest start, oldest first. */
  loadTick(strategy: HostedStrategy, days: number): readonly TickData[] | Promise<readonly TickData[]>;
  /** Publish the strategy's data (`getData()`) to whoever watches it. */
  putStrategyEvent(strategy: HostedStrategy): void;
  /** Persist the strategy's variables. */
  syncStrategyData(strategy: HostedStrategy): void | Promise<void>;
}
