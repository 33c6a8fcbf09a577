export { RiskApp } from "./RiskApp.js";
export { RiskEngine } from "./RiskEngine.js";
export { RISK_APP_NAME, EVENT_RISK, type RiskEventData, type RiskEvents, type RiskStats } from "./riskEvents.js";
export { RISK_CODES, RULE_NAMES, parseRiskConfig, type RiskConfig, type RiskRules, type RiskRuleSet } from "./rules.js";
export { TRADING_STATES, type TradingState, type RiskSnapshot } from "./RiskStore.js";
export { loadRiskFile } from "./riskFile.js";

export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { RISK_ERRORS } from "./errorCodes.js";
