import type { BaseApp } from "../../trader/index.js";
import { CTA_APP_NAME, CtaEngine } from "./CtaEngine.js";

export {
  CtaEngine,
  CTA_APP_NAME,
  EVENT_CTA_LOG,
  EVENT_CTA_STOPORDER,
  EVENT_CTA_STRATEGY,
  REFERENCE_PREFIX,
  type CtaEngineOptions,
  type CtaEvents,
  type StrategySource,
} from "./CtaEngine.js";
export { loadStrategyClass } from "./loadStrategyClass.js";
export type { CtaState, SavedStrategy } from "./state.js";

/** `const cta = mainEngine.addApp(CtaApp)`, then `cta.configure({ stateFile })` and `addStrategy`. */
export const CtaApp: BaseApp<CtaEngine> = {
  appName: CTA_APP_NAME,
  displayName: "CTA strategies",
  engineClass: CtaEngine,
  description: "Runs CtaTemplate strategies live: routing, local stop orders, persisted state, isolation.",
};
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { CTA_ERRORS } from "./errorCodes.js";
