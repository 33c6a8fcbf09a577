import type { TraderEvents } from "../../trader/events.js";
import type { TradingState } from "./RiskStore.js";

export const RISK_APP_NAME = "RiskManager";
/** The event type of refusals, trading-state changes and rule changes. */
export const EVENT_RISK = "eRisk";

/** The data of an `eRisk` event. */
export type RiskEventData =
  | {
      kind: "refusal";
      rule: string;
      code: string;
      limit: unknown;
      value: unknown;
      message: string;
      gatewayName: string;
      vtSymbol: string;
      datetime: number;
    }
  | { kind: "state"; from: TradingState; to: TradingState; reason: string; datetime: number }
  | { kind: "rule"; rule: string; from: number | boolean | null; to: number | boolean | null; datetime: number };

/** The event map with `eRisk`, for `register("eRisk", h)` with a typed handler. */
export type RiskEvents = TraderEvents & { eRisk: RiskEventData };

/** What `risk.stats()` returns. */
export interface RiskStats {
  tradingState: TradingState;
  stateReason: string;
  /** The trading day, YYYY-MM-DD in the configured zone. */
  day: string;
  timezone: string;
  /** Orders checked, passed and refused since the engine started. */
  checked: number;
  passed: number;
  refused: number;
  /** Refusals by rule name ("tradingState" for the state) since the engine started. */
  refusals: Record<string, number>;
  activeOrders: number;
  /** Fills today. */
  trades: number;
  /** Cancels today by vtSymbol. */
  cancels: Record<string, number>;
  /** Σ (balance − start-of-day balance) over the accounts seen today. */
  dayPnl: number;
}
