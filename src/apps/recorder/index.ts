import type { BaseApp } from "../../trader/index.js";
import { DATA_RECORDER_APP_NAME, DataRecorderEngine } from "./DataRecorderEngine.js";
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

/** `const recorder = mainEngine.addApp(DataRecorderApp)`, then `recorder.start(store)` and `add*Recording(vtSymbol)`. */
export const DataRecorderApp: BaseApp<DataRecorderEngine> = {
  appName: DATA_RECORDER_APP_NAME,
  displayName: "Data recorder",
  engineClass: DataRecorderEngine,
  description: "Records ticks and 1-minute bars of chosen instruments into the market data store.",
};
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { RECORDER_ERRORS } from "./errorCodes.js";
