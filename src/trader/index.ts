export * from "./constants.js";
export * from "./ids.js";
export * from "./objects.js";
export * from "./events.js";
export * from "./BaseGateway.js";
