import type { BaseApp } from "../../trader/BaseApp.js";
import { RiskEngine } from "./RiskEngine.js";
import { RISK_APP_NAME } from "./riskEvents.js";

/** `const risk = mainEngine.addApp(RiskApp)`, then `risk.configure({ ... })`. */
export const RiskApp: BaseApp<RiskEngine> = {
  appName: RISK_APP_NAME,
  displayName: "Risk manager",
  engineClass: RiskEngine,
  description:
    "Pre-trade checks every order passes: size, notional, flow, active orders, daily trades and cancels, price band, position, self-trade, trading state, daily loss.",
};
