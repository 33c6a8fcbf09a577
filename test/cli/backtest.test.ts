import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/data/index.js";
import { BacktestingEngine } from "../../src/apps/backtest/index.js";
import type { BacktestStatistics } from "../../src/apps/backtest/index.js";
import DoubleMaStrategy from "../../examples/strategies/double-ma.js";
import { GOLDEN_PARAMETERS, goldenBars } from "../apps/golden.js";
import { tickwire } from "../support/tickwire.js";

/** A guard against a hung child, not a speed requirement. */
const GUARD = { timeout: 120_000 };
const dir = mkdtempSync(join(tmpdir(), "tw-cli-backtest-"));
const url = `sqlite:${join(dir, "golden.sqlite")}`;
const COSTS = ["--symbol", "rb2410.SHFE", "--interval", "1m", "--rate", "0.0001", "--slippage", "1", "--size", "10", "--pricetick", "1", "--database", url];

before(async () => {
  const db = await openDatabase(url);
  await db.saveBars(goldenBars());
  await db.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function single(setting: Record<string, number>): Promise<BacktestStatistics> {
  const engine = new BacktestingEngine();
  engine.setParameters({ ...GOLDEN_PARAMETERS });
  engine.addStrategy(DoubleMaStrategy, setting);
  engine.setHistory(goldenBars());
  await engine.runBacktesting();
  engine.calculateResult();
  return engine.calculateStatistics();
}

describe("tickwire backtest and optimize", () => {
  test("backtest runs a .ts strategy on stored bars, prints the statistics as JSON and writes the report", GUARD, async () => {
    const report = join(dir, "out.html");
    const run = tickwire(
      "backtest",
      "examples/strategies/double-ma.ts",
      ...COSTS,
      "--set",
      "fastWindow=10",
      "--set",
      "slowWindow=30",
      "--json",
      "--report",
      report,
    );
    assert.equal((await run.exit).code, 0, run.stderr());
    const out = JSON.parse(run.stdout()) as { strategy: string; setting: unknown; statistics: BacktestStatistics };
    assert.equal(out.strategy, "DoubleMaStrategy");
    assert.deepEqual(out.setting, { fastWindow: 10, slowWindow: 30 });
    assert.deepEqual(out.statistics, await single({ fastWindow: 10, slowWindow: 30 }));
    assert.ok(existsSync(report));
  });

  test("optimize over --range backtests every set on threads, best first, each equal to a single backtest", GUARD, async () => {
    const run = tickwire(
      "optimize",
      "examples/strategies/double-ma.ts",
      ...COSTS,
      "--range",
      "fastWindow=5:15:5",
      "--range",
      "slowWindow=30,45",
      "--target",
      "totalNetPnl",
      "--threads",
      "2",
      "--json",
    );
    assert.equal((await run.exit).code, 0, run.stderr());
    const results = JSON.parse(run.stdout()) as { setting: Record<string, number>; target: number; statistics: BacktestStatistics }[];
    assert.equal(results.length, 6);
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].target >= results[i].target);
    for (const r of results) assert.deepEqual(r.statistics, await single(r.setting));
  });

  test("a setting of the wrong type exits 1 with the strategy's error code", GUARD, async () => {
    const run = tickwire("backtest", "examples/strategies/double-ma.ts", ...COSTS, "--set", "fastWindow=ten");
    assert.equal((await run.exit).code, 1);
    assert.match(run.stderr(), /TW_STRATEGY_BAD_OPTION/);
  });
});
