import type { ErrorCatalogue } from "../../errorCodes.js";

/** The error codes of tickwire/gateways/sim (the paper exchange). See docs/errors.md. */
export const SIM_ERRORS = {
  TW_SIM_BAD_OPTION: {
    meaning: "A SimExchange option or SimGateway setting is invalid (tickRate, seed, capital, startTime, idStart).",
    fix: "Pass the option as the message says (docs/sim.md lists them).",
  },
  TW_SIM_NO_INSTRUMENTS: {
    meaning: "The paper exchange was given an empty instrument list.",
    fix: "Pass some instruments, or leave the option out for the defaults.",
  },
  TW_SIM_BAD_INSTRUMENT: {
    meaning: "An instrument definition is invalid (a non-positive size or tick, limitPct not a fraction, listed twice).",
    fix: "Fix the field named in the message.",
  },
  TW_SIM_UNKNOWN_INSTRUMENT: {
    meaning: "selectInstruments() was given a name that is not a default instrument.",
    fix: "Choose from the names in the message.",
  },
  TW_SIM_UNKNOWN_SYMBOL: {
    meaning: "No instrument of that vtSymbol is listed on this paper exchange.",
    fix: "Use a listed vtSymbol (the message lists them).",
  },
  TW_SIM_UNKNOWN_ORDER: {
    meaning: "No order of that id was ever sent to this paper exchange.",
    fix: "Check the orderid (the part of vtOrderid after the gateway name).",
  },
  TW_SIM_NOT_CONNECTED: {
    meaning: "The sim gateway was used before connect().",
    fix: "Call connect() (or MainEngine.connect) first.",
  },
  TW_SIM_BAD_INTERVAL: {
    meaning: "History was asked for an interval the paper exchange does not make.",
    fix: "Ask for 1m, 1h or d bars.",
  },
  TW_SIM_HISTORY_TOO_LONG: {
    meaning: "The history asked for is too much to simulate in one query.",
    fix: "Ask for a shorter range (the message gives the most).",
  },
  TW_SIM_BAD_FILL: {
    meaning: "A fill could not be settled: an internal inconsistency of the paper exchange.",
    fix: "Report it as a bug with the message.",
  },
} as const satisfies ErrorCatalogue<"TW_SIM_">;
