export {
  defineHandlers,
  isHandlerModule,
  type HandlerModule,
  type HandlerModuleSpec,
  type HandlerModuleInfo,
  type RemoteHandler,
  type RemoteFunction,
  type ModuleLocation,
} from "./HandlerModule.js";
export type { FunctionName, FunctionArgs, FunctionResult } from "./functionTypes.js";
export type { SerializedError } from "./remoteError.js";
export {
  WorkerPool,
  type WorkerPoolOptions,
  type WorkerPoolStats,
  type DispatchOptions as WorkerDispatchOptions,
  type TaskOptions as WorkerTaskOptions,
  type PoolCloseOptions,
} from "./WorkerPool.js";
export {
  Subprocess,
  type SubprocessOptions,
  type SubprocessExit,
  type SubprocessStats,
  type SubprocessDispatchOptions,
  type SubprocessRequestOptions,
} from "./Subprocess.js";
export type { ChildEngineOptions } from "./subprocessProtocol.js";
export { WORKER_ERRORS } from "./errorCodes.js";
