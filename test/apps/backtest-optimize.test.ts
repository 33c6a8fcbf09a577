import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { BacktestingEngine, gridSettings, runGeneticOptimization, runGridOptimization, type OptimizationTarget } from "../../src/apps/backtest/index.js";
import DoubleMaStrategy from "../../examples/strategies/double-ma.js";
import { GOLDEN_PARAMETERS, goldenBars } from "./golden.js";

const STRATEGY = fileURLToPath(new URL("../../examples/strategies/double-ma.ts", import.meta.url));
const bars = goldenBars();
const target: OptimizationTarget = { strategy: STRATEGY, parameters: { ...GOLDEN_PARAMETERS }, history: bars };
const space = { fastWindow: { start: 4, end: 16, step: 4 }, slowWindow: [20, 30, 45] };

async function single(setting: Record<string, unknown>) {
  const engine = new BacktestingEngine();
  engine.setParameters({ ...GOLDEN_PARAMETERS });
  engine.addStrategy(DoubleMaStrategy, setting);
  engine.setHistory(bars);
  await engine.runBacktesting();
  engine.calculateResult();
  return engine.calculateStatistics();
}

test("a grid space expands ranges and lists into every combination, the first parameter slowest", () => {
  assert.deepEqual(gridSettings({ a: { start: 0.1, end: 0.3, step: 0.1 }, b: ["x", "y"] }), [
    { a: 0.1, b: "x" },
    { a: 0.1, b: "y" },
    { a: 0.2, b: "x" },
    { a: 0.2, b: "y" },
    { a: 0.3, b: "x" },
    { a: 0.3, b: "y" },
  ]);
});

test("grid optimization on two threads gives each set the statistics of a single backtest, best first", async () => {
  const progress: number[] = [];
  const results = await runGridOptimization(target, space, { target: "totalNetPnl", threads: 2, onProgress: (done) => progress.push(done) });
  assert.equal(results.length, 12);
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].target >= results[i].target);
  const singles = await Promise.all(gridSettings(space).map(async (s) => ({ s, stats: await single(s) })));
  const best = singles.reduce((a, b) => (b.stats.totalNetPnl > a.stats.totalNetPnl ? b : a));
  assert.deepEqual(results[0].setting, best.s);
  for (const r of results) {
    const one = singles.find((x) => x.s.fastWindow === r.setting.fastWindow && x.s.slowWindow === r.setting.slowWindow)!;
    assert.deepEqual(r.statistics, one.stats);
  }
});

test("genetic optimization finds the grid's optimum, backtests each set once and repeats with the same seed", async () => {
  const wide = { fastWindow: { start: 2, end: 20, step: 2 }, slowWindow: { start: 20, end: 60, step: 10 } };
  const grid = await runGridOptimization(target, wide, { target: "sharpeRatio", threads: 2 });
  const run = () => runGeneticOptimization(target, wide, { target: "sharpeRatio", threads: 2, population: 12, generations: 8, seed: 7 });
  const a = await run();
  const b = await run();
  assert.deepEqual(a[0].setting, grid[0].setting);
  assert.equal(a[0].target, grid[0].target);
  const keys = a.map((r) => JSON.stringify(r.setting));
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(a.length < grid.length, `the search tried ${a.length} of ${grid.length} sets`);
  assert.deepEqual(
    b.map((r) => r.setting),
    a.map((r) => r.setting),
  );
});

test("an unknown target is refused with the numeric statistics to choose from", async () => {
  await assert.rejects(runGridOptimization(target, { fastWindow: [5] }, { target: "nope", threads: 1 }), /nope.*sharpeRatio/s);
});

test("a set whose strategy throws fails the optimization with the strategy's error", async () => {
  const failing = fileURLToPath(new URL("../fixtures/failing-strategy.ts", import.meta.url));
  const progress: number[] = [];
  await assert.rejects(
    runGridOptimization(
      { ...target, strategy: failing },
      { fail: [true], window: { start: 1, end: 40, step: 1 } },
      { target: "totalNetPnl", threads: 2, onProgress: (d) => progress.push(d) },
    ),
    (err: Error & { code?: string }) =>
      err.code === "TW_BACKTEST_STRATEGY_ERROR" && /failing on purpose/.test(String((err as { cause?: unknown }).cause ?? err.message)),
  );
  assert.deepEqual(progress, []);
});
