/**
 * tickwire: an event-driven trading engine for TypeScript on Node.js.
 * The root exports the event engine and the trading core; the transports have their own subpaths
 * (`tickwire/rpc`, `tickwire/bus`) and are also reachable here as namespaces.
 */
export * from "./event/index.js";
export * from "./trader/index.js";
export { SimGateway } from "./gateways/sim/index.js";
export * as rpc from "./rpc/index.js";
export * as bus from "./bus/index.js";
