import type { Database } from "../../data/types.js";
import type { StopOrder } from "../../strategy/StrategyHost.js";
import type { StrategyData } from "../../strategy/CtaTemplate.js";
import type { LogData } from "../../trader/objects.js";

export const CTA_APP_NAME = "CtaStrategy";
/** A strategy's data (`StrategyData`) changed: added, inited, started, stopped, traded, failed. */
export const EVENT_CTA_STRATEGY = "eCtaStrategy";
/** A log line of the engine or a strategy (`LogData`, gatewayName = the source). */
export const EVENT_CTA_LOG = "eCtaLog";
/** A local stop order was placed, triggered or cancelled (`StopOrder`). */
export const EVENT_CTA_STOPORDER = "eCtaStopOrder";

/** Orders sent by a strategy carry `cta:<name>` as their reference. */
export const REFERENCE_PREFIX = "cta:";

/** The app's events, for `EventEngine<TraderEvents & CtaEvents>` (or a cast of main.eventEngine). */
export type CtaEvents = {
  eCtaStrategy: StrategyData & { error: string | undefined };
  eCtaLog: LogData;
  eCtaStopOrder: StopOrder;
};

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
