import type { BaseApp } from "../../trader/BaseApp.js";
import { RISK_APP_NAME, RiskEngine } from "./RiskEngine.js";

/** `const risk = mainEngine.addApp(RiskApp)`, then `risk.configure({ ... })`. */
export const RiskApp: BaseApp<RiskEngine> = {
  appName: RISK_APP_NAME,
  displayName: "Risk manager",
  engineClass: RiskEngine,
  description:
    "Pre-trade checks every order passes: size, notional, flow, active orders, daily trades and cancels, price band, position, self-trade, trading state, daily loss.",
};
