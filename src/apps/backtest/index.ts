export {
  BacktestingEngine,
  TW_BACKTEST_HISTORY,
  TW_BACKTEST_NO_DATA,
  TW_BACKTEST_NO_STRATEGY,
  TW_BACKTEST_RUNNING,
  TW_BACKTEST_STRATEGY_ERROR,
  type BacktestParameters,
  type FillModel,
  type HistorySource,
  type RunOptions,
} from "./BacktestingEngine.js";
/** Kept here for code written before it moved to tickwire/strategy. */
export { roundTo } from "../../strategy/roundTo.js";
export { TW_BACKTEST_BAD_OPTION, DayClock } from "./dates.js";
export type { DailyResult } from "./DailyResult.js";
export { calculateStatistics, emptyStatistics, type BacktestStatistics, type StatisticsOptions } from "./statistics.js";
export { analyzeTrades, type RoundTrip, type TradeAnalysis } from "./roundTrips.js";
export { formatStatistics } from "./format.js";
export {
  runGridOptimization,
  runGeneticOptimization,
  gridSettings,
  expandSpace,
  sortResults,
  threadEvaluator,
  toJob,
  TW_BACKTEST_OPTIMIZE,
  type Evaluator,
  type GeneticOptions,
  type OptimizationJob,
  type OptimizationOptions,
  type OptimizationResult,
  type OptimizationSpace,
  type OptimizationTarget,
  type ParameterValues,
} from "./optimize.js";
export { evaluateSetting } from "./evaluate.js";
export { loadStrategyClass, TW_BACKTEST_STRATEGY_MODULE } from "./strategyModule.js";
export { renderReport, writeReport, type ReportOptions } from "./report.js";
export {
  busEvaluator,
  runBusWorker,
  DEFAULT_TASK_QUEUE,
  type BusEvaluator,
  type BusEvaluatorOptions,
  type BusWorker,
  type WorkerOptions,
} from "./busOptimize.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../../event/errors.js";
export { BACKTEST_ERRORS } from "./errorCodes.js";
