export * from "./constants.js";
export * from "./ids.js";
export * from "./objects.js";
export * from "./events.js";
export * from "./BaseGateway.js";
export * from "./BaseEngine.js";
export * from "./BaseApp.js";
export * from "./OmsEngine.js";
export * from "./LogEngine.js";
export * from "./MainEngine.js";
export * from "./requestChecks.js";
export * from "./BarGenerator.js";
export * from "./PreTradeCheck.js";
// The trader layer throws TW_TRADER_* errors: catch and check them without importing tickwire/event.
export { TickwireError, isTickwireError } from "../event/errors.js";
