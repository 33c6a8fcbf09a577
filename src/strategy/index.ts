export {
  CtaTemplate,
  createStrategy,
  getClassParameters,
  TW_STRATEGY_BAD_OPTION,
  type Awaitable,
  type CtaStrategyClass,
  type OrderFlags,
  type StrategyData,
  type StrategySetting,
} from "./CtaTemplate.js";
export { EngineType, STOPORDER_PREFIX, StopOrderStatus, type HostedStrategy, type StopOrder, type StrategyHost } from "./StrategyHost.js";
export { ArrayManager, TW_STRATEGY_ARRAY_SIZE, type Pair } from "./ArrayManager.js";
export { TargetPosTemplate } from "./TargetPosTemplate.js";
export { roundTo } from "./roundTo.js";
export * as talib from "./talib.js";
/** vnpy strategies import BarGenerator from vnpy.trader.utility; here it lives in trader/ and is re-exported for strategies. */
export { BarGenerator, type BarGeneratorOptions } from "../trader/BarGenerator.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../event/errors.js";
export { STRATEGY_ERRORS } from "./errorCodes.js";
