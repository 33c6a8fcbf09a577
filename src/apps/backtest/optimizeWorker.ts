/** The handler module each optimization thread loads: backtests one parameter set per call. */
import { defineHandlers } from "../../workers/HandlerModule.js";
import { evaluateSetting } from "./evaluate.js";

export default defineHandlers({ functions: { evaluate: evaluateSetting } });
