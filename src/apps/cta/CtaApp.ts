import type { BaseApp } from "../../trader/BaseApp.js";
import { CtaEngine } from "./CtaEngine.js";
import { CTA_APP_NAME } from "./ctaEvents.js";

/** `const cta = mainEngine.addApp(CtaApp)`, then `cta.configure({ stateFile })` and `addStrategy`. */
export const CtaApp: BaseApp<CtaEngine> = {
  appName: CTA_APP_NAME,
  displayName: "CTA strategies",
  engineClass: CtaEngine,
  description: "Runs CtaTemplate strategies live: routing, local stop orders, persisted state, isolation.",
};
