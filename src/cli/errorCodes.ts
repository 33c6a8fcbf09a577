import type { ErrorCatalogue } from "../errorCodes.js";

/** The error codes of the tickwire command. See docs/errors.md. */
export const CLI_ERRORS = {
  TW_CLI_STRATEGIES: {
    meaning: "The strategies file (--strategies) is not a JSON array of { name, file | className, vtSymbol, setting }.",
    fix: "Fix the entry named in the message (docs/cta.md shows the file).",
  },
} as const satisfies ErrorCatalogue<"TW_CLI_">;
