import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RiskApp } from "../../src/apps/risk/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { Direction, Exchange, MainEngine, OrderType, createCancelRequest, createOrderRequest, createSubscribeRequest } from "../../src/trader/index.js";
import { T0, assertRefused, deskWithRisk, order, tempDir, type Desk } from "./risk-helpers.js";

/** A restart: the first engine closes (writing its file), a new one reads the same file. */
async function restart(d: Desk, stateFile: string, extra: object = {}): Promise<Desk> {
  await d.main.close();
  const next = await deskWithRisk();
  next.clock.now = d.clock.now;
  next.risk.configure({ ...d.risk.rules(), stateFile, ...extra });
  return next;
}

describe("risk state across restarts and days", () => {
  test("trade and cancel counters survive a restart on the same day", async () => {
    const stateFile = join(tempDir(), "risk-state.json");
    let d = await deskWithRisk();
    d.risk.configure({ tradeLimit: 2, cancelLimit: 1, stateFile });
    d.main.sendOrder(order({ volume: 2 }), "DESK");
    d.gw.fill("1", 1, 100);
    d.gw.fill("1", 1, 100);
    const resting = d.main.sendOrder(order(), "DESK") as string;
    await d.main.eventEngine.waitForIdle();
    d.main.cancelOrder(createCancelRequest(d.main.getOrder(resting)!), "DESK");
    d = await restart(d, stateFile);
    assert.equal(d.risk.stats().trades, 2);
    assert.deepEqual(d.risk.stats().cancels, { "X.SIM": 1 });
    assertRefused(() => d.main.sendOrder(order(), "DESK"), "TW_RISK_TRADE_LIMIT");
    await d.main.close();
  });

  test("the counters of an earlier day are not restored", async () => {
    const stateFile = join(tempDir(), "risk-state.json");
    let d = await deskWithRisk();
    d.risk.configure({ tradeLimit: 1, stateFile });
    d.main.sendOrder(order(), "DESK");
    d.gw.fill("1", 1, 100);
    await d.main.eventEngine.waitForIdle();
    d.clock.now += 24 * 3_600_000;
    d = await restart(d, stateFile);
    assert.equal(d.risk.stats().trades, 0);
    d.main.sendOrder(order(), "DESK");
    await d.main.close();
  });

  test("a halt survives a restart, even on another day", async () => {
    const stateFile = join(tempDir(), "risk-state.json");
    let d = await deskWithRisk();
    d.risk.configure({ stateFile });
    d.risk.setTradingState("HALTED", "fat finger");
    d.clock.now += 24 * 3_600_000;
    d = await restart(d, stateFile);
    assert.equal(d.risk.tradingState, "HALTED");
    assert.equal(d.risk.stats().stateReason, "fat finger");
    assertRefused(() => d.main.sendOrder(order(), "DESK"), "TW_RISK_TRADING_STATE");
    await d.main.close();
  });

  test("the day rolls at midnight in the configured time zone", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ cancelLimit: 1, timezone: "Asia/Shanghai" });
    d.clock.now = Date.UTC(2024, 0, 2, 15, 59, 59); // 23:59:59 in Shanghai
    const id = d.main.sendOrder(order(), "DESK") as string;
    await d.main.eventEngine.waitForIdle();
    d.main.cancelOrder(createCancelRequest(d.main.getOrder(id)!), "DESK");
    assertRefused(() => d.main.sendOrder(order(), "DESK"), "TW_RISK_CANCEL_LIMIT");
    assert.equal(d.risk.stats().day, "2024-01-02");
    d.clock.now = Date.UTC(2024, 0, 2, 16); // midnight in Shanghai, 16:00 UTC
    d.main.sendOrder(order(), "DESK");
    assert.equal(d.risk.stats().day, "2024-01-03");
    await d.main.close();
  });

  test("the daily loss counts from the balance the day started with, across a restart", async () => {
    const stateFile = join(tempDir(), "risk-state.json");
    let d = await deskWithRisk();
    d.risk.configure({ dailyLossLimit: 500, stateFile });
    d.gw.onAccount({ gatewayName: "DESK", accountid: "A", vtAccountid: "DESK.A", balance: 10_000, frozen: 0, available: 10_000 });
    d.gw.onAccount({ gatewayName: "DESK", accountid: "A", vtAccountid: "DESK.A", balance: 9_700, frozen: 0, available: 9_700 });
    await d.main.eventEngine.waitForIdle();
    d = await restart(d, stateFile);
    d.gw.onAccount({ gatewayName: "DESK", accountid: "A", vtAccountid: "DESK.A", balance: 9_400, frozen: 0, available: 9_400 });
    await d.main.eventEngine.waitForIdle();
    assert.equal(d.risk.tradingState, "HALTED");
    await d.main.close();
  });

  test("a damaged state file stops the configuration instead of zeroing the counters", async () => {
    const stateFile = join(tempDir(), "risk-state.json");
    writeFileSync(stateFile, "{ not json");
    const d = await deskWithRisk();
    assert.throws(
      () => d.risk.configure({ tradeLimit: 1, stateFile }),
      (e: unknown) => isTickwireError(e, "TW_RISK_BAD_STATE_FILE"),
    );
    assert.equal(d.risk.rules().tradeLimit, null);
    await d.main.close();
  });
});

describe("risk with the paper exchange", () => {
  test("refused orders never reach the sim, passed ones trade", async () => {
    const main = new MainEngine(undefined, { log: false });
    const gw = main.addGateway(SimGateway);
    await main.connect({ seed: 2, instruments: "rb2410.SHFE", startTime: T0 }, "SIM");
    main.subscribe(createSubscribeRequest({ symbol: "rb2410", exchange: Exchange.SHFE }), "SIM");
    await main.eventEngine.waitForIdle();
    const risk = main.addApp(RiskApp);
    risk.configure({ orderSizeLimit: 2, positionLimit: 3 });
    const req = (volume: number) =>
      createOrderRequest({ symbol: "rb2410", exchange: Exchange.SHFE, direction: Direction.LONG, type: OrderType.MARKET, volume });
    const before = gw.exchange.lastId;
    assertRefused(() => main.sendOrder(req(3), "SIM"), "TW_RISK_ORDER_SIZE");
    assert.equal(gw.exchange.lastId, before);
    main.sendOrder(req(2), "SIM");
    await main.eventEngine.waitForIdle();
    assert.equal(main.getPosition("SIM.rb2410.SHFE.LONG")?.volume, 2);
    assertRefused(() => main.sendOrder(req(2), "SIM"), "TW_RISK_POSITION_LIMIT");
    assert.equal(gw.exchange.lastId, before + 1); // the sim numbered only the order that passed
    await main.close();
  });
});
