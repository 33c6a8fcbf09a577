export { RpcServiceApp } from "./RpcServiceApp.js";
export { RpcServiceEngine, RPC_SERVICE_APP_NAME, type RpcServiceOptions } from "./RpcServiceEngine.js";
export { DEFAULT_MAX_HISTORY_BARS, HISTORY_TOO_LARGE } from "./history.js";
export {
  TRADER_RPC_METHODS,
  TRADER_RPC_TOPICS,
  type TraderRpcApi,
  type TraderRpcHandlers,
  type TraderRpcMethod,
  type TraderSnapshot,
} from "../../gateways/rpc/contract.js";

export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { RPC_SERVICE_ERRORS } from "./errorCodes.js";
