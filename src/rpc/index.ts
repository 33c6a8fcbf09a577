export { RpcServer, type RpcFunction, type RpcServerOptions, type RpcServerStats } from "./RpcServer.js";
export {
  RpcClient,
  type RpcClientOptions,
  type RpcClientEvents,
  type RpcClientStats,
  type CallOptions,
  type ConnectionState,
  type RemoteApi,
} from "./RpcClient.js";
export { RemoteError, RpcErrorCode, type RpcErrorCodeValue, type RemoteErrorInfo } from "./errors.js";
export { HEARTBEAT_TOPIC, type HeartbeatData } from "./heartbeat.js";
export { generateKeyPair, writeKeyPair, readKeyFile, isZ85Key, type CurveKeyPair } from "./curve.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../event/errors.js";
export { RPC_ERRORS } from "./errorCodes.js";
