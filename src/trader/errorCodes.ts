import type { ErrorCatalogue } from "../errorCodes.js";

/** The error codes of tickwire/trader (MainEngine, ids and requests, BarGenerator, LogEngine). See docs/errors.md. */
export const TRADER_ERRORS = {
  TW_TRADER_BAD_OPTION: {
    meaning: "An option of MainEngine, LogEngine or BarGenerator is invalid (log level, time zone, time of day, window).",
    fix: "Pass the option as the message says (docs/trader.md).",
  },
  TW_TRADER_INVALID_ID: {
    meaning: 'A symbol, exchange, gateway name or vt id is not valid (empty, contains the "." separator, unknown exchange).',
    fix: 'Use the forms of docs/trader.md: vtSymbol "symbol.EXCHANGE", vtOrderid "GATEWAY.orderid".',
  },
  TW_TRADER_BAD_REQUEST: {
    meaning: "An order, cancel or subscribe request cannot be sent as it is (a missing field, a value off the contract's grid).",
    fix: "Fix the request as the message says; nothing was sent.",
  },
  TW_TRADER_UNKNOWN_GATEWAY: {
    meaning: "No gateway of that name was added to the MainEngine.",
    fix: "addGateway() it first, or use one of the names listed in the message.",
  },
  TW_TRADER_DUPLICATE_GATEWAY: {
    meaning: "A gateway of that name was already added.",
    fix: 'Give the new one another name: addGateway(cls, "NAME").',
  },
  TW_TRADER_WRONG_ENGINE: {
    meaning: "A gateway instance was built on another event engine than the MainEngine's.",
    fix: "Build it with mainEngine.eventEngine, or pass its class to addGateway().",
  },
  TW_TRADER_UNKNOWN_ENGINE: {
    meaning: "No engine of that name was added.",
    fix: "Add the app or engine first, or use a name listed in the message.",
  },
  TW_TRADER_DUPLICATE_ENGINE: {
    meaning: "An engine of that name was already added.",
    fix: "Engine names must be unique.",
  },
  TW_TRADER_DUPLICATE_APP: {
    meaning: "An app of that name was already added.",
    fix: "Add each app once.",
  },
  TW_TRADER_CLOSE_FAILED: {
    meaning: "MainEngine.close() closed everything it could, but some parts failed (error.cause has their errors).",
    fix: "Read the log and error.cause.",
  },
} as const satisfies ErrorCatalogue<"TW_TRADER_">;
