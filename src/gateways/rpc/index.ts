export { RpcGateway, type RemoteTraderApi, type RemoteSnapshot } from "./RpcGateway.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { RPC_GATEWAY_ERRORS } from "./errorCodes.js";
