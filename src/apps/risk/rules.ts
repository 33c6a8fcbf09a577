import { TickwireError } from "../../event/errors.js";

/**
 * The pre-trade rules, by name. Each absent (or null) rule is off; a number is its limit.
 * A request is refused only PAST a limit: an order of exactly `orderSizeLimit` passes.
 */
export interface RiskRules {
  /** Largest volume of one order. */
  orderSizeLimit?: number | null;
  /** Largest notional of one order: price × volume × contract size (MARKET orders at the last price). */
  orderNotionalLimit?: number | null;
  /** Most orders per gateway within any rolling `orderFlowWindowMs`. */
  orderFlowLimit?: number | null;
  /** The window of `orderFlowLimit`, ms. Default 1000 (vnpy: per second). */
  orderFlowWindowMs?: number | null;
  /** Most active (working) orders at once, over all gateways. */
  activeOrderLimit?: number | null;
  /** Most fills (trade events) per trading day; once reached, new orders are refused. */
  tradeLimit?: number | null;
  /** Most cancels per symbol per trading day; once reached, new orders on that symbol are refused (cancels always pass). */
  cancelLimit?: number | null;
  /** A priced order's price may be at most this percent away from the last price. */
  priceBandPct?: number | null;
  /** A priced order's price may be at most this many price ticks away from the last price. */
  priceBandTicks?: number | null;
  /** Largest position per symbol and gateway the order could make, counting active orders on its side. */
  positionLimit?: number | null;
  /** Refuse an order that would cross the account's own resting order on the same symbol. */
  selfTrade?: boolean | null;
  /** Largest loss of the trading day (start-of-day balance − balance, over all accounts); past it, trading HALTS. */
  dailyLossLimit?: number | null;
}

/** What `risk.configure()` takes and a `--risk` JSON file holds: the rules plus two settings. */
export interface RiskConfig extends RiskRules {
  /** IANA time zone in which the trading day rolls at midnight, e.g. "Asia/Shanghai". Default "UTC". Absent: unchanged. */
  timezone?: string;
  /** JSON file where the per-day counters and the trading state are kept across restarts. Absent: unchanged (none at first). */
  stateFile?: string;
}

/** The rules with every absent one as null: what `risk.rules()` returns. */
export type RiskRuleSet = { [K in keyof Required<RiskRules>]: Exclude<RiskRules[K], undefined> };

/** The rule names, in the order the checks run after the trading state. */
export const RULE_NAMES = [
  "orderSizeLimit",
  "orderNotionalLimit",
  "priceBandPct",
  "priceBandTicks",
  "orderFlowLimit",
  "orderFlowWindowMs",
  "activeOrderLimit",
  "tradeLimit",
  "cancelLimit",
  "positionLimit",
  "selfTrade",
  "dailyLossLimit",
] as const satisfies ReadonlyArray<keyof RiskRules>;

/** The error code of each rule's refusal (and of the trading state's). */
export const RISK_CODES = {
  tradingState: "TW_RISK_TRADING_STATE",
  orderSizeLimit: "TW_RISK_ORDER_SIZE",
  orderNotionalLimit: "TW_RISK_ORDER_NOTIONAL",
  priceBandPct: "TW_RISK_PRICE_BAND",
  priceBandTicks: "TW_RISK_PRICE_BAND",
  orderFlowLimit: "TW_RISK_ORDER_FLOW",
  activeOrderLimit: "TW_RISK_ACTIVE_ORDERS",
  tradeLimit: "TW_RISK_TRADE_LIMIT",
  cancelLimit: "TW_RISK_CANCEL_LIMIT",
  positionLimit: "TW_RISK_POSITION_LIMIT",
  selfTrade: "TW_RISK_SELF_TRADE",
  dailyLossLimit: "TW_RISK_DAILY_LOSS",
} as const;

/** Rules whose limit is a count: whole numbers only. */
const COUNTS = new Set<string>(["orderFlowLimit", "activeOrderLimit", "tradeLimit", "cancelLimit"]);
const SETTINGS = new Set<string>(["timezone", "stateFile"]);

export const DEFAULT_ORDER_FLOW_WINDOW_MS = 1000;

export function emptyRuleSet(): RiskRuleSet {
  const rules = {} as Record<string, unknown>;
  for (const name of RULE_NAMES) rules[name] = null;
  return rules as RiskRuleSet;
}

function bad(msg: string, key?: string): TickwireError {
  return new TickwireError("TW_RISK_BAD_OPTION", msg, key === undefined ? undefined : { details: { key } });
}

/**
 * Checks a configuration from code or a JSON file and returns the complete rule set (absent
 * rules null). An unknown key is an error, not ignored: a misspelt rule would silently be off.
 */
export function parseRiskConfig(input: unknown): { rules: RiskRuleSet; timezone: string | undefined; stateFile: string | undefined } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw bad(`A risk configuration is an object of rules by name, got ${JSON.stringify(input)}.`);
  }
  const rules = emptyRuleSet() as Record<string, unknown>;
  const known = new Set<string>(RULE_NAMES);
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (SETTINGS.has(key)) {
      if (value !== undefined && (typeof value !== "string" || value === ""))
        throw bad(`"${key}" must be a non-empty string, got ${JSON.stringify(value)}.`, key);
      continue;
    }
    if (!known.has(key)) {
      throw bad(`Unknown risk rule "${key}". Rules: ${RULE_NAMES.join(", ")}; settings: timezone, stateFile.`, key);
    }
    if (value === undefined || value === null) continue;
    if (key === "selfTrade") {
      if (typeof value !== "boolean") throw bad(`"selfTrade" must be true, false or null, got ${JSON.stringify(value)}.`, key);
      rules[key] = value ? true : null;
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw bad(`"${key}" must be a number > 0 (or null for off), got ${JSON.stringify(value)}.`, key);
    }
    if (COUNTS.has(key) && !Number.isInteger(value)) throw bad(`"${key}" is a count: it must be a whole number, got ${value}.`, key);
    rules[key] = value;
  }
  if (rules.orderFlowWindowMs !== null && rules.orderFlowLimit === null) {
    throw bad(`"orderFlowWindowMs" is the window of "orderFlowLimit": set that too, or leave the window out.`, "orderFlowWindowMs");
  }
  if (rules.orderFlowLimit !== null && rules.orderFlowWindowMs === null) rules.orderFlowWindowMs = DEFAULT_ORDER_FLOW_WINDOW_MS;
  const { timezone, stateFile } = input as { timezone?: string; stateFile?: string };
  if (timezone !== undefined) assertTimezone(timezone);
  return { rules: rules as RiskRuleSet, timezone, stateFile };
}

export function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: timezone });
  } catch {
    throw bad(`Unknown time zone "${timezone}": use an IANA name such as "UTC", "Asia/Shanghai" or "America/New_York".`, "timezone");
  }
}
