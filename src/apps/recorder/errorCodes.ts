import type { ErrorCatalogue } from "../../errorCodes.js";

/** The error codes of tickwire/apps/recorder. See docs/errors.md. */
export const RECORDER_ERRORS = {
  TW_RECORDER_BAD_OPTION: {
    meaning: "A recorder option is not a number in range (the message names it).",
    fix: "Pass the option as the message says (docs/recorder.md).",
  },
  TW_RECORDER_BAD_SYMBOL: { meaning: "A recording was asked for something that is not a vtSymbol.", fix: 'Give "symbol.EXCHANGE", e.g. "rb2410.SHFE".' },
  TW_RECORDER_RUNNING: { meaning: "start() on a recorder that is already started.", fix: "close() it before starting another." },
  TW_RECORDER_CLOSED: { meaning: "start() on a recorder that was closed.", fix: "Add a new DataRecorder app to record again." },
} as const satisfies ErrorCatalogue<"TW_RECORDER_">;
