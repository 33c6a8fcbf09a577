import type { BaseApp } from "../../trader/BaseApp.js";
import { DATA_RECORDER_APP_NAME, DataRecorderEngine } from "./DataRecorderEngine.js";

/** `const recorder = mainEngine.addApp(DataRecorderApp)`, then `recorder.start(store)` and `add*Recording(vtSymbol)`. */
export const DataRecorderApp: BaseApp<DataRecorderEngine> = {
  appName: DATA_RECORDER_APP_NAME,
  displayName: "Data recorder",
  engineClass: DataRecorderEngine,
  description: "Records ticks and 1-minute bars of chosen instruments into the market data store.",
};
