/**
 * The double moving-average cross on the golden vnpy bars, with vnpy's parameters:
 *   npx tsx examples/backtest-double-ma.ts
 * prints the statistics (the same numbers vnpy computed, test/fixtures/golden).
 */
import { BacktestingEngine, formatStatistics } from "../src/apps/backtest/index.js";
import { goldenBars } from "../test/apps/golden.js";
import { DoubleMaStrategy } from "./strategies/double-ma.js";

const engine = new BacktestingEngine();
engine.setParameters({ vtSymbol: "rb2410.SHFE", interval: "1m", rate: 0.0001, slippage: 1, size: 10, pricetick: 1, capital: 1_000_000 });
engine.addStrategy(DoubleMaStrategy, { fastWindow: 10, slowWindow: 30 });
engine.setHistory(goldenBars());
await engine.runBacktesting();
engine.calculateResult();
console.log(formatStatistics(engine.calculateStatistics(), engine.analyzeTrades()));
