/* loadData: the history streamed from a tickwire/data store (SQLite in a temp folder). */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestingEngine } from "../../src/apps/backtest/index.js";
import { openDatabase } from "../../src/data/index.js";
import { CtaTemplate } from "../../src/strategy/index.js";
import type { BarData } from "../../src/trader/index.js";
import { DoubleMaStrategy } from "../../examples/strategies/double-ma.js";
import { GOLDEN_PARAMETERS, goldenBars } from "./golden.js";

const dir = mkdtempSync(join(tmpdir(), "tw-backtest-data-"));
const url = `sqlite:${join(dir, "bars.sqlite")}`;
const bars = goldenBars();
const db = await openDatabase(url);
await db.saveBars(bars);
await db.close();
after(() => rmSync(dir, { recursive: true, force: true }));

test("a backtest streamed from the store gives the trades and statistics of the same bars in memory", async () => {
  const mem = new BacktestingEngine();
  mem.setParameters(GOLDEN_PARAMETERS);
  mem.addStrategy(DoubleMaStrategy);
  mem.setHistory(bars);
  await mem.runBacktesting();
  mem.calculateResult();

  const streamed = new BacktestingEngine();
  streamed.setParameters(GOLDEN_PARAMETERS);
  streamed.addStrategy(DoubleMaStrategy);
  await streamed.loadData(url);
  const progress: number[] = [];
  await streamed.runBacktesting({ onProgress: (done) => progress.push(done), progressEvery: 5000 });
  streamed.calculateResult();
  await streamed.close();

  assert.deepEqual(streamed.getAllTrades(), mem.getAllTrades());
  assert.deepEqual(streamed.calculateStatistics(), mem.calculateStatistics());
  assert.deepEqual(progress.at(-1), bars.length);
});

test("start and end bound the stream, and loadBar reads the days before start from the store", async () => {
  class Warm extends CtaTemplate {
    warm = 0;
    live = 0;
    override async onInit(): Promise<void> {
      await this.loadBar(2, undefined, () => void this.warm++);
    }
    override onBar(_b: BarData): void {
      this.live++;
    }
  }
  const e = new BacktestingEngine();
  e.setParameters({ ...GOLDEN_PARAMETERS, start: "2024-01-05T00:00:00Z", end: "2024-01-05T23:59:00Z" });
  const s = e.addStrategy(Warm) as Warm;
  await e.loadData(url);
  await e.runBacktesting();
  await e.close();
  const inDay = bars.filter((b) => b.datetime >= Date.parse("2024-01-05T00:00:00Z") && b.datetime <= Date.parse("2024-01-05T23:59:00Z"));
  const before = bars.filter((b) => b.datetime >= Date.parse("2024-01-03T00:00:00Z") && b.datetime < Date.parse("2024-01-05T00:00:00Z"));
  assert.equal(s.live, inDay.length);
  assert.equal(s.warm, before.length);
});
