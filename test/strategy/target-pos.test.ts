import { test } from "node:test";
import assert from "node:assert/strict";
import { BacktestingEngine } from "../../src/apps/backtest/index.js";
import { TargetPosTemplate } from "../../src/strategy/index.js";
import type { BarData } from "../../src/trader/index.js";
import { randomBars } from "./host.js";

class Targets extends TargetPosTemplate {
  static plan: Record<number, number> = { 0: 2, 5: -1, 10: 0 };
  private i = 0;
  seen: number[] = [];
  override onBar(bar: BarData): void {
    super.onBar(bar);
    this.seen.push(this.pos);
    const target = Targets.plan[this.i++];
    this.setTargetPos(target ?? this.targetPos);
  }
}

test("TargetPosTemplate works orders until the position is the target, in the backtester", async () => {
  const e = new BacktestingEngine();
  e.setParameters({ vtSymbol: "rb2410.SHFE", pricetick: 1 });
  const s = e.addStrategy(Targets) as Targets;
  e.setHistory(randomBars(20));
  await e.runBacktesting();
  assert.equal(s.seen[3], 2);
  assert.equal(s.seen[8], -1);
  assert.equal(s.pos, 0);
  assert.equal(s.getVariables().targetPos, 0);
});
