import type { ErrorCatalogue } from "../../errorCodes.js";

/** The error codes of tickwire/apps/backtest (BacktestingEngine and the optimizers). See docs/errors.md. */
export const BACKTEST_ERRORS = {
  TW_BACKTEST_BAD_OPTION: {
    meaning: "A backtest parameter is invalid (vtSymbol, a time, the time zone, rates, sizes, the mode).",
    fix: "Fix the parameter named in the message (docs/strategy.md lists them).",
  },
  TW_BACKTEST_HISTORY: {
    meaning: "setHistory() was given no array, or data of the other mode (bars for a tick backtest).",
    fix: "Pass BarData in bar mode and TickData in tick mode.",
  },
  TW_BACKTEST_NO_STRATEGY: {
    meaning: "runBacktesting() before addStrategy().",
    fix: "Call addStrategy(StrategyClass, setting) first.",
  },
  TW_BACKTEST_NO_DATA: {
    meaning: "runBacktesting() with no history.",
    fix: "Give history first: setHistory(bars | ticks) or loadData(database).",
  },
  TW_BACKTEST_RUNNING: {
    meaning: "A backtest is already running on this engine.",
    fix: "Await it, or use another BacktestingEngine.",
  },
  TW_BACKTEST_STRATEGY_ERROR: {
    meaning: "The strategy threw during the backtest; the backtest stopped.",
    fix: "Fix the strategy at the callback and time the message names.",
  },
  TW_BACKTEST_STRATEGY_MODULE: {
    meaning: "A strategy module could not be imported or exports no (or no such) CtaTemplate subclass.",
    fix: "Check the path and the class name, and that the module loads on its own.",
  },
  TW_BACKTEST_OPTIMIZE: {
    meaning: "An optimization is invalid (empty or bad parameter space, a target that is not a numeric statistic) or a worker failed.",
    fix: "Fix the space or target as the message says.",
  },
  TW_BACKTEST_OPTIMIZE_BUS: {
    meaning: "The optimization over RabbitMQ could not connect, or the connection closed before every result came back.",
    fix: "Check the URL and that RabbitMQ runs; run the optimization again.",
  },
} as const satisfies ErrorCatalogue<"TW_BACKTEST_">;
