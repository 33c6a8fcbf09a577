/** tickwire/workers: handlers in worker threads (WorkerPool, on piscina) and in a child process (Subprocess). */
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
  type WorkerDispatchOptions,
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
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../event/errors.js";
export { Event, type DispatchOptions } from "../event/Event.js";
