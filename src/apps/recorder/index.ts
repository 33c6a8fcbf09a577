export { DataRecorderApp } from "./DataRecorderApp.js";
export { WorkerStore } from "./WorkerStore.js";

export {
  DataRecorderEngine,
  DATA_RECORDER_APP_NAME,
  EVENT_RECORDER,
  type RecorderEvents,
  type RecorderOptions,
  type RecorderStats,
  type RecorderStatus,
  type RecorderStore,
} from "./DataRecorderEngine.js";

export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { RECORDER_ERRORS } from "./errorCodes.js";
