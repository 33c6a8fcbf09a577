import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CtaApp } from "../../src/apps/cta/index.js";
import { CtaTemplate } from "../../src/strategy/index.js";
import { Exchange, Status, createSubscribeRequest, type OrderData, type TickData, type TradeData } from "../../src/trader/index.js";
import { startHarness, until, type Harness } from "../support/ccxtHarness.js";

const dir = mkdtempSync(join(tmpdir(), "ccxt17-cta-"));
let h: Harness | undefined;
after(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Buys once, crossing the spread, on the first tick with an ask; records what it saw. */
class CrossOnce extends CtaTemplate {
  static override author = "tickwire tests";
  static override parameters = ["volume"];
  volume = 0.1;
  ticks: TickData[] = [];
  orders: OrderData[] = [];
  trades: TradeData[] = [];
  sent: string[] = [];

  override onTick(tick: TickData): void {
    this.ticks.push(tick);
    if (this.sent.length === 0 && tick.askPrice1 > 0) this.sent = this.buy(tick.askPrice1, this.volume);
  }

  override onOrder(order: OrderData): void {
    this.orders.push(order);
  }

  override onTrade(trade: TradeData): void {
    this.trades.push(trade);
  }
}

test("a CTA strategy on the ccxt gateway: ticks in, an order out, the trade back, pos updated", async () => {
  h = await startHarness();
  const cta = h.main.addApp(CtaApp);
  cta.configure({ stateFile: join(dir, "cta.json") });
  const strategy = (await cta.addStrategy(CrossOnce, "cross", "BTCUSDT.BINANCE", { volume: 0.2 })) as CrossOnce;
  await cta.initStrategy("cross");
  await cta.startStrategy("cross");
  await h.main.subscribe(createSubscribeRequest({ symbol: "BTCUSDT", exchange: Exchange.BINANCE }), h.gw.gatewayName);
  await until(() => h!.emu.hasSubscriber("btcusdt@ticker"), "the ticker subscription");
  h.emu.publishTicker("BTCUSDT", 100);
  await until(() => strategy.trades.length > 0, "the strategy's trade");
  assert.ok(strategy.ticks.length > 0);
  assert.equal(strategy.sent.length, 1);
  assert.deepEqual(
    strategy.trades.map((t) => [t.price, t.volume]),
    [[100.01, 0.2]],
  );
  await until(() => strategy.orders.some((o) => o.status === Status.ALLTRADED), "the order filled");
  assert.equal(strategy.pos, 0.2);
  assert.equal(h.emu.trades.length, 1);
});
