export { SimGateway, type SimGatewaySetting } from "./SimGateway.js";
export { SimExchange, type SimExchangeOptions, type SimExchangeListener } from "./SimExchange.js";
export type { SimAccount, SimPosition } from "./SimAccount.js";
export type { SimOrder, SimOrderInput, SimTrade } from "./SimOrder.js";
export { MAX_HISTORY_TICKS, type SimBar } from "./history.js";
export { DEFAULT_INSTRUMENTS, selectInstruments, type SimInstrument } from "./instruments.js";
// The market model's parts (MatchingEngine, InstrumentMarket, PricePath, the PRNG and the time
// constants) are the exchange's implementation: import them from their files in tests.
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { SIM_ERRORS } from "./errorCodes.js";
