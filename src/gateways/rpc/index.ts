export { RpcGateway, type RpcGatewaySetting } from "./RpcGateway.js";
export { TRADER_RPC_METHODS, TRADER_RPC_TOPICS, type TraderRpcApi, type TraderRpcHandlers, type TraderRpcMethod, type TraderSnapshot } from "./contract.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { RPC_GATEWAY_ERRORS } from "./errorCodes.js";
