import type { BaseApp } from "../../trader/index.js";
import { RISK_APP_NAME, RiskEngine } from "./RiskEngine.js";

export { RiskEngine, RISK_APP_NAME, EVENT_RISK, type RiskEventData, type RiskEvents, type RiskStats } from "./RiskEngine.js";
export { RISK_CODES, RULE_NAMES, parseRiskConfig, type RiskConfig, type RiskRules, type RiskRuleSet } from "./rules.js";
export { TRADING_STATES, type TradingState, type RiskSnapshot } from "./RiskStore.js";
export { loadRiskFile } from "./riskFile.js";

/** `const risk = mainEngine.addApp(RiskApp)`, then `risk.configure({ ... })`. */
export const RiskApp: BaseApp<RiskEngine> = {
  appName: RISK_APP_NAME,
  displayName: "Risk manager",
  engineClass: RiskEngine,
  description: "Pre-trade checks every order passes: size, notional, flow, active orders, daily trades and cancels, price band, position, self-trade, trading state, daily loss.",
};
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { RISK_ERRORS } from "./errorCodes.js";
