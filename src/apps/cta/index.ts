export { CtaApp } from "./CtaApp.js";
export { CtaEngine } from "./CtaEngine.js";
export { CTA_APP_NAME, EVENT_CTA_LOG, EVENT_CTA_STOPORDER, EVENT_CTA_STRATEGY, REFERENCE_PREFIX, type CtaEngineOptions, type CtaEvents } from "./ctaEvents.js";
export type { StrategySource } from "./strategySource.js";
export { loadStrategyClass } from "./loadStrategyClass.js";
export type { CtaState, SavedStrategy } from "./state.js";

export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { CTA_ERRORS } from "./errorCodes.js";
