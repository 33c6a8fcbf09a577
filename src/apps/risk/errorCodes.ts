import type { ErrorCatalogue } from "../../errorCodes.js";

/**
 * The error codes of tickwire/apps/risk. The rule codes are the refusals of an order (the order is
 * REJECTED and the call throws); details carry `{ rule, limit, value }`. See docs/errors.md.
 */
export const RISK_ERRORS = {
  TW_RISK_BAD_OPTION: {
    meaning: "The risk configuration or risk file is invalid (unknown rule, bad limit, unreadable file, a new stateFile while running); nothing was changed.",
    fix: "Fix the rule or file named in the message (docs/risk.md lists the rules).",
  },
  TW_RISK_BAD_STATE: {
    meaning: "setTradingState() was given an unknown trading state.",
    fix: "Use one of the states the message lists.",
  },
  TW_RISK_BAD_STATE_FILE: {
    meaning: "The risk state file cannot be read.",
    fix: "Fix or remove it (removing it resets today's counters and the trading state).",
  },
  TW_RISK_TRADING_STATE: {
    meaning: "Refused: the trading state does not allow this order (halted, or reduce-only and the order opens).",
    fix: "Change the trading state when trading may go on.",
  },
  TW_RISK_ORDER_SIZE: { meaning: "Refused: the order's volume is over orderSizeLimit.", fix: "Send a smaller order, or raise the limit." },
  TW_RISK_ORDER_NOTIONAL: { meaning: "Refused: the order's notional value is over orderNotionalLimit.", fix: "Send a smaller order, or raise the limit." },
  TW_RISK_PRICE_BAND: {
    meaning: "Refused: the price is outside the band around the last price (priceBandPct / priceBandTicks).",
    fix: "Price the order nearer the market, or widen the band.",
  },
  TW_RISK_ORDER_FLOW: { meaning: "Refused: more orders in the flow window than orderFlowLimit.", fix: "Send orders more slowly, or raise the limit." },
  TW_RISK_ACTIVE_ORDERS: { meaning: "Refused: activeOrderLimit orders are already active.", fix: "Wait for fills or cancel some orders." },
  TW_RISK_TRADE_LIMIT: { meaning: "Refused: today's trades reached tradeLimit.", fix: "Stop for the day, or raise the limit." },
  TW_RISK_CANCEL_LIMIT: { meaning: "Refused: today's cancels reached cancelLimit.", fix: "Stop cancelling for the day, or raise the limit." },
  TW_RISK_POSITION_LIMIT: { meaning: "Refused: the order would take the position over positionLimit.", fix: "Reduce the position first, or raise the limit." },
  TW_RISK_SELF_TRADE: { meaning: "Refused: the order would trade against one of your own active orders.", fix: "Cancel the opposite order first." },
  TW_RISK_DAILY_LOSS: { meaning: "Refused: today's loss reached dailyLossLimit.", fix: "Stop for the day, or raise the limit." },
} as const satisfies ErrorCatalogue<"TW_RISK_">;
