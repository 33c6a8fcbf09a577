import type { ErrorCatalogue } from "../../errorCodes.js";

/** The error codes of tickwire/apps/rpc-service. See docs/errors.md. */
export const RPC_SERVICE_ERRORS = {
  TW_RPC_SERVICE_BAD_OPTION: { meaning: "An rpc service option is out of range (maxHistoryBars).", fix: "Pass a whole number >= 1." },
  TW_RPC_SERVICE_RUNNING: { meaning: "start() on an rpc service that is already running.", fix: "stop() it before starting it again." },
  TW_RPC_SERVICE_HISTORY_TOO_LARGE: {
    meaning: "A queryHistory call asks for more bars than one reply may carry.",
    fix: "Ask for a shorter range (several calls), or raise maxHistoryBars and maxMessageSize together.",
  },
} as const satisfies ErrorCatalogue<"TW_RPC_SERVICE_">;
