import type { BaseApp } from "../../trader/index.js";
import { RPC_SERVICE_APP_NAME, RpcServiceEngine } from "./RpcServiceEngine.js";

export { RpcServiceEngine, RPC_SERVICE_APP_NAME, type RpcServiceOptions } from "./RpcServiceEngine.js";
export { DEFAULT_MAX_HISTORY_BARS, HISTORY_TOO_LARGE } from "./history.js";
export type { RpcSnapshot } from "./snapshot.js";

/** `mainEngine.addApp(RpcServiceApp)` then `await engine.start(rep, pub)`. */
export const RpcServiceApp: BaseApp<RpcServiceEngine> = {
  appName: RPC_SERVICE_APP_NAME,
  displayName: "RPC service",
  engineClass: RpcServiceEngine,
  description: "Serves this process's gateways and OMS to RpcGateways in other processes over ZeroMQ.",
};
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { RPC_SERVICE_ERRORS } from "./errorCodes.js";
