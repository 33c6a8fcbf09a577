import type { ErrorCatalogue } from "../../errorCodes.js";

/** The error codes of tickwire/apps/cta (the live strategy engine). See docs/errors.md. */
export const CTA_ERRORS = {
  TW_CTA_BAD_OPTION: {
    meaning: "A CtaEngine option is out of range (a count or time that must be a whole number >= 0).",
    fix: "Pass the option as the message says (docs/cta.md).",
  },
  TW_CTA_LOAD: {
    meaning: "A strategy module could not be imported, or holds no CtaTemplate class of that name.",
    fix: "Check the path and class name, and that the module loads on its own (.ts needs tsx, or compile it).",
  },
  TW_CTA_DUPLICATE: {
    meaning: "A strategy of that name exists already.",
    fix: "Give each strategy its own name.",
  },
  TW_CTA_SYMBOL: {
    meaning: 'A strategy\'s vtSymbol is not "symbol.EXCHANGE".',
    fix: 'Use a vtSymbol such as "rb2410.SHFE".',
  },
  TW_CTA_UNKNOWN_STRATEGY: {
    meaning: "No strategy of that name was added.",
    fix: "Use a name the message lists, or addStrategy() first.",
  },
  TW_CTA_NOT_INITED: {
    meaning: "startStrategy() before the strategy was inited.",
    fix: "initStrategy() it first.",
  },
  TW_CTA_TRADING: {
    meaning: "removeStrategy() on a strategy that is trading.",
    fix: "stopStrategy() it first.",
  },
  TW_CTA_STATE: {
    meaning: "The CTA state file cannot be read, is not JSON, or has the wrong shape.",
    fix: "Fix its permissions or content, or point stateFile elsewhere.",
  },
} as const satisfies ErrorCatalogue<"TW_CTA_">;
