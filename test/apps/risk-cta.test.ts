import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CtaApp, EVENT_CTA_LOG } from "../../src/apps/cta/index.js";
import { RiskApp } from "../../src/apps/risk/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { CtaTemplate } from "../../src/strategy/index.js";
import { LogLevel, MainEngine, Status, type LogData, type OrderData, type TickData, type TradeData } from "../../src/trader/index.js";

const START = Date.UTC(2024, 2, 5, 1, 0);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Buys the next volume of `plan` on each tick, aggressively, once the previous order is done. */
class Planner extends CtaTemplate {
  plan: number[] = [];
  sent: string[][] = [];
  orders: OrderData[] = [];
  trades: TradeData[] = [];
  private waiting = false;

  override onTick(tick: TickData): void {
    if (!this.trading || this.waiting || this.sent.length >= this.plan.length) return;
    this.waiting = true;
    this.sent.push(this.buy(tick.askPrice1 + 10 * this.getPricetick(), this.plan[this.sent.length]));
  }
  override onOrder(order: OrderData): void {
    this.orders.push(order);
    if (order.status === Status.REJECTED || order.status === Status.ALLTRADED) this.waiting = false;
  }
  override onTrade(trade: TradeData): void {
    this.trades.push(trade);
  }
}

test("a strategy whose order the risk engine refuses gets onOrder with REJECTED and the reason, keeps trading, and its next order within limits reaches the sim", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-risk-cta-"));
  dirs.push(dir);
  const main = new MainEngine(undefined, { log: false });
  const logs: LogData[] = [];
  main.eventEngine.register(EVENT_CTA_LOG as never, (e) => logs.push(e.data as LogData));
  try {
    const gw = main.addGateway(SimGateway);
    await main.connect({ seed: 5, startTime: START, tickRate: 0.2, instruments: "rb2410.SHFE" }, "SIM");
    const risk = main.addApp(RiskApp);
    risk.configure({ orderSizeLimit: 5 });
    const cta = main.addApp(CtaApp);
    cta.configure({ stateFile: join(dir, "cta.json") });
    const s = (await cta.addStrategy(Planner, "p", "rb2410.SHFE")) as Planner;
    s.plan = [6, 1];
    await cta.initStrategy("p");
    await cta.startStrategy("p");
    for (let i = 0; i < 20 && s.trades.length === 0; i++) {
      gw.generateTicks(1);
      await main.eventEngine.waitForIdle();
    }

    // The refused order: no id returned, but the strategy is told, with the rule in the reason.
    assert.deepEqual(s.sent[0], []);
    const rejected = s.orders.filter((o) => o.status === Status.REJECTED);
    assert.equal(rejected.length, 1);
    assert.match(rejected[0].orderid, /^risk-\d+$/);
    assert.equal(rejected[0].reference, "cta:p");
    assert.equal(rejected[0].volume, 6);
    assert.match(rejected[0].statusMsg, /orderSizeLimit|5/);
    assert.equal(risk.stats().refusals.orderSizeLimit, 1);

    // Not stopped by the isolation: it sent the next order, which the sim filled.
    assert.equal(s.trading, true);
    assert.equal(cta.getStrategyError("p"), undefined);
    assert.equal(s.sent[1].length, 1);
    const [vtOrderid] = s.sent[1];
    assert.equal(main.getOrder(vtOrderid)?.gatewayName, "SIM");
    assert.equal(main.getOrder(vtOrderid)?.status, Status.ALLTRADED);
    assert.deepEqual(
      s.trades.map((t) => t.vtOrderid),
      [vtOrderid],
    );
    assert.equal(s.pos, 1);

    // A refusal is an expected outcome: a warning naming the rule's code, not an error.
    const refusalLogs = logs.filter((l) => l.msg.includes("TW_RISK_ORDER_SIZE"));
    assert.equal(refusalLogs.length, 1);
    assert.equal(refusalLogs[0].level, LogLevel.WARNING);
    assert.deepEqual(
      logs.filter((l) => l.level === LogLevel.ERROR),
      [],
    );
  } finally {
    await main.close();
  }
});
