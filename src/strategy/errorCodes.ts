import type { ErrorCatalogue } from "../errorCodes.js";

/** The error codes of tickwire/strategy (CtaTemplate, ArrayManager). See docs/errors.md. */
export const STRATEGY_ERRORS = {
  TW_STRATEGY_BAD_OPTION: {
    meaning: "A strategy setting does not fit its parameter (not a finite number, wrong type), or the constructor called the host.",
    fix: "Pass settings of the parameters' types; do work that needs the host in onInit, not the constructor.",
  },
  TW_STRATEGY_ARRAY_SIZE: {
    meaning: "ArrayManager was given a size that is not a positive integer.",
    fix: "Pass a whole number >= 1.",
  },
} as const satisfies ErrorCatalogue<"TW_STRATEGY_">;
