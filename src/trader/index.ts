export * from "./constants.js";
export {
  vtSymbolOf,
  vtOrderidOf,
  vtTradeidOf,
  vtAccountidOf,
  vtPositionidOf,
  parseVtSymbol,
  parseVtOrderid,
  parseVtTradeid,
  parseVtAccountid,
  TW_TRADER_INVALID_ID,
} from "./ids.js";
export * from "./objects.js";
export * from "./events.js";
export * from "./BaseGateway.js";
export * from "./BaseEngine.js";
export * from "./BaseApp.js";
export * from "./OmsEngine.js";
export * from "./LogEngine.js";
export * from "./MainEngine.js";
export {
  orderRequestFormProblem,
  orderRequestProblem,
  orderValueProblem,
  cancelRequestFormProblem,
  subscribeRequestFormProblem,
  historyRequestFormProblem,
  MAX_GRID_STEPS,
  type RequestProblem,
  type OrderGrid,
  type OrderValues,
} from "./requestChecks.js";
export * from "./BarGenerator.js";
export * from "./PreTradeCheck.js";
// The trader layer throws TW_TRADER_* errors: catch and check them without importing tickwire/event.
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../event/errors.js";
export { TRADER_ERRORS } from "./errorCodes.js";
