/* The example strategies run on the golden bars, in both fill models, and trade. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BacktestingEngine, type FillModel } from "../../src/apps/backtest/index.js";
import type { CtaStrategyClass } from "../../src/strategy/index.js";
import { AtrRsiStrategy } from "../../examples/strategies/atr-rsi.js";
import { BreakoutStrategy } from "../../examples/strategies/breakout.js";
import { DoubleMaStrategy } from "../../examples/strategies/double-ma.js";
import { GOLDEN_PARAMETERS, goldenBars } from "./golden.js";

const bars = goldenBars();

for (const cls of [DoubleMaStrategy, BreakoutStrategy, AtrRsiStrategy] as CtaStrategyClass[]) {
  for (const fillModel of ["vnpy", "strict"] as FillModel[]) {
    test(`${cls.name} trades on the golden bars with the ${fillModel} fill model`, async () => {
      const e = new BacktestingEngine();
      e.setParameters({ ...GOLDEN_PARAMETERS, fillModel });
      e.addStrategy(cls);
      e.setHistory(bars);
      await e.runBacktesting();
      assert.ok(e.getAllTrades().length > 10, `${e.getAllTrades().length} trades`);
      const stats = e.calculateStatistics(e.calculateResult());
      assert.equal(stats.totalDays, 15);
    });
  }
}
