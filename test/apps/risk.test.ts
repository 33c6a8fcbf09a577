import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { EVENT_RISK, type RiskEventData, type RiskEvents } from "../../src/apps/risk/index.js";
import type { EventEngine } from "../../src/event/index.js";
import { isTickwireError } from "../../src/event/errors.js";
import { Direction, OrderType, Offset, Status, createAccount, createCancelRequest, type LogData, type OrderData } from "../../src/trader/index.js";
import { assertRefused, deskWithRisk, order, position, type Desk } from "./risk-helpers.js";

function send(d: Desk, over: Parameters<typeof order>[0] = {}): string {
  return d.main.sendOrder(order(over), "DESK") as string;
}

describe("risk rules: each refuses past its limit and passes at it", () => {
  test("orderSizeLimit", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ orderSizeLimit: 5 });
    send(d, { volume: 5 });
    const details = assertRefused(() => send(d, { volume: 6 }), "TW_RISK_ORDER_SIZE");
    assert.deepEqual([details.rule, details.limit, details.value], ["orderSizeLimit", 5, 6]);
    assert.equal(d.sent().length, 1);
    await d.main.close();
  });

  test("a NaN volume or price never passes a rule that reads it", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ orderSizeLimit: 5, orderNotionalLimit: 1e9, positionLimit: 100, priceBandPct: 50 });
    // Through MainEngine a NaN is refused as malformed before any rule runs ...
    assertRefused(() => send(d, { volume: NaN }), "TW_TRADER_BAD_REQUEST");
    assertRefused(() => send(d, { price: NaN }), "TW_TRADER_BAD_REQUEST");
    // ... and each rule refuses it on its own too, for a caller that runs the checks directly.
    const check = (over: Parameters<typeof order>[0]) => d.risk.checkOrder(order(over), "DESK")?.code;
    assert.equal(check({ volume: NaN }), "TW_RISK_ORDER_SIZE");
    d.risk.configure({ orderNotionalLimit: 1e9 });
    assert.equal(check({ price: NaN }), "TW_RISK_ORDER_NOTIONAL");
    d.risk.configure({ positionLimit: 100 });
    assert.equal(check({ volume: NaN }), "TW_RISK_POSITION_LIMIT");
    d.risk.configure({ priceBandPct: 50 });
    assert.equal(check({ price: NaN }), "TW_RISK_PRICE_BAND");
    assert.equal(d.sent().length, 0);
    await d.main.close();
  });

  test("orderNotionalLimit: price × volume × contract size, MARKET orders at the last price", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ orderNotionalLimit: 2000 }); // X: size 10, last 100
    send(d, { volume: 2, price: 100 });
    assertRefused(() => send(d, { volume: 2, price: 100.5 }), "TW_RISK_ORDER_NOTIONAL");
    send(d, { volume: 2, type: OrderType.MARKET, price: 0 });
    const details = assertRefused(() => send(d, { volume: 3, type: OrderType.MARKET, price: 0 }), "TW_RISK_ORDER_NOTIONAL");
    assert.equal(details.value, 3000);
    await d.main.close();
  });

  test("orderFlowLimit: N orders in any rolling window per gateway, the next one refused until the oldest leaves it", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ orderFlowLimit: 3, orderFlowWindowMs: 1000 });
    send(d);
    d.clock.now += 400;
    send(d);
    send(d);
    d.clock.now += 599; // the first order is 999 ms old: still in the window
    assertRefused(() => send(d), "TW_RISK_ORDER_FLOW");
    d.clock.now += 1; // 1000 ms: it left
    send(d);
    assertRefused(() => send(d), "TW_RISK_ORDER_FLOW");
    assert.equal(d.sent().length, 4);
    await d.main.close();
  });

  test("activeOrderLimit counts working orders, including ones sent in the same turn", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ activeOrderLimit: 2 });
    send(d);
    send(d); // no event has been dispatched yet: the engine counts what it let through
    assertRefused(() => send(d), "TW_RISK_ACTIVE_ORDERS");
    d.gw.fill("1", 1, 100);
    await d.main.eventEngine.waitForIdle();
    send(d);
    await d.main.close();
  });

  test("tradeLimit: fills of the day; the order after the Nth fill is refused", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ tradeLimit: 2 });
    send(d, { volume: 3 });
    d.gw.fill("1", 1, 100);
    await d.main.eventEngine.waitForIdle();
    send(d); // one fill so far
    d.gw.fill("1", 1, 100);
    await d.main.eventEngine.waitForIdle();
    const details = assertRefused(() => send(d), "TW_RISK_TRADE_LIMIT");
    assert.equal(details.value, 2);
    await d.main.close();
  });

  test("cancelLimit: cancels always pass; once a symbol has N today, new orders on it are refused", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ cancelLimit: 2 });
    const ids = [send(d), send(d), send(d)];
    await d.main.eventEngine.waitForIdle();
    d.main.cancelOrder(createCancelRequest(d.main.getOrder(ids[0])!), "DESK");
    send(d);
    d.main.cancelOrder(createCancelRequest(d.main.getOrder(ids[1])!), "DESK");
    assertRefused(() => send(d), "TW_RISK_CANCEL_LIMIT");
    send(d, { symbol: "Y" });
    d.main.cancelOrder(createCancelRequest(d.main.getOrder(ids[2])!), "DESK");
    assert.equal(d.gw.calls.filter((c) => c.startsWith("cancelOrder")).length, 3);
    await d.main.close();
  });

  test("priceBandPct: a priced order within x% of the last price", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ priceBandPct: 5 });
    send(d, { price: 105 });
    send(d, { price: 95, direction: Direction.SHORT });
    assertRefused(() => send(d, { price: 105.5 }), "TW_RISK_PRICE_BAND");
    send(d, { type: OrderType.MARKET, price: 0 }); // a market order has no price to band
    await d.main.close();
  });

  test("priceBandTicks: a priced order within n ticks of the last price", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ priceBandTicks: 3 }); // X: tick 0.5
    send(d, { price: 101.5 });
    const details = assertRefused(() => send(d, { price: 102 }), "TW_RISK_PRICE_BAND");
    assert.equal(details.value, 4);
    await d.main.close();
  });

  test("positionLimit: the position the order could make, counting active orders on its side", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ positionLimit: 5 });
    position(d, Direction.LONG, 2);
    await d.main.eventEngine.waitForIdle();
    send(d, { volume: 2 }); // 2 held + 2 = 4
    send(d, { volume: 1 }); // 2 + 2 working + 1 = 5
    const details = assertRefused(() => send(d, { volume: 1 }), "TW_RISK_POSITION_LIMIT");
    assert.equal(details.value, 6);
    send(d, { volume: 5, direction: Direction.SHORT, offset: Offset.CLOSE }); // −2 + 5 = 3 short at most
    await d.main.close();
  });

  test("selfTrade: an order that would cross the account's own resting order is refused", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ selfTrade: true });
    send(d, { direction: Direction.SHORT, price: 101 });
    await d.main.eventEngine.waitForIdle();
    send(d, { price: 100.5 });
    const details = assertRefused(() => send(d, { price: 101 }), "TW_RISK_SELF_TRADE");
    assert.deepEqual([details.limit, details.value], [101, 101]);
    assertRefused(() => send(d, { type: OrderType.MARKET, price: 0 }), "TW_RISK_SELF_TRADE");
    send(d, { price: 101, symbol: "Y" });
    await d.main.close();
  });
});

describe("trading states", () => {
  test("HALTED refuses every order and lets cancels through", async () => {
    const d = await deskWithRisk();
    const id = send(d);
    await d.main.eventEngine.waitForIdle();
    d.risk.setTradingState("HALTED");
    const details = assertRefused(() => send(d, { direction: Direction.SHORT, offset: Offset.CLOSE }), "TW_RISK_TRADING_STATE");
    assert.equal(details.limit, "HALTED");
    d.main.cancelOrder(createCancelRequest(d.main.getOrder(id)!), "DESK");
    assert.deepEqual(d.gw.calls, ["sendOrder X.SIM", "cancelOrder 1"]);
    await d.main.close();
  });

  test("REDUCING lets a closing order through and refuses an opening one", async () => {
    const d = await deskWithRisk();
    position(d, Direction.LONG, 2);
    await d.main.eventEngine.waitForIdle();
    d.risk.setTradingState("REDUCING");
    send(d, { direction: Direction.SHORT, offset: Offset.CLOSE, volume: 1 });
    assertRefused(() => send(d, { direction: Direction.LONG, offset: Offset.OPEN }), "TW_RISK_TRADING_STATE");
    // 1 of the 2 is already being closed: closing 2 more would open a short.
    assertRefused(() => send(d, { direction: Direction.SHORT, offset: Offset.CLOSE, volume: 2 }), "TW_RISK_TRADING_STATE");
    assert.equal(d.sent().length, 1);
    await d.main.close();
  });

  test("the daily loss limit halts trading when the day's loss goes past it", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ dailyLossLimit: 500 });
    d.gw.onAccount(createAccount({ gatewayName: "DESK", accountid: "A", balance: 10_000 }));
    d.gw.onAccount(createAccount({ gatewayName: "DESK", accountid: "A", balance: 9_500 }));
    await d.main.eventEngine.waitForIdle();
    assert.equal(d.risk.tradingState, "ACTIVE"); // a loss of exactly the limit
    send(d);
    d.gw.onAccount(createAccount({ gatewayName: "DESK", accountid: "A", balance: 9_499 }));
    await d.main.eventEngine.waitForIdle();
    assert.equal(d.risk.tradingState, "HALTED");
    assertRefused(() => send(d), "TW_RISK_TRADING_STATE");
    await d.main.close();
  });

  test("an unknown trading state is refused", async () => {
    const d = await deskWithRisk();
    assert.throws(
      () => d.risk.setTradingState("PAUSED" as "HALTED"),
      (e: unknown) => isTickwireError(e, "TW_RISK_BAD_STATE"),
    );
    await d.main.close();
  });
});

describe("risk engine", () => {
  test("a refused order reaches an engine handler as an order event with REJECTED and the reason", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ orderSizeLimit: 1 });
    const seen: OrderData[] = [];
    d.main.eventEngine.register("eOrder.", (e) => void seen.push(e.data));
    assertRefused(() => send(d, { volume: 2 }), "TW_RISK_ORDER_SIZE");
    await d.main.eventEngine.waitForIdle();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].status, Status.REJECTED);
    assert.match(seen[0].statusMsg, /orderSizeLimit 1/);
    await d.main.close();
  });

  test("every refusal and state change is an eRisk event, and stats count refusals per rule", async () => {
    const d = await deskWithRisk();
    const events: RiskEventData[] = [];
    (d.main.eventEngine as unknown as EventEngine<RiskEvents>).register(EVENT_RISK, (e) => void events.push(e.data));
    d.risk.configure({ orderSizeLimit: 1 });
    assertRefused(() => send(d, { volume: 2 }), "TW_RISK_ORDER_SIZE");
    assertRefused(() => send(d, { volume: 3 }), "TW_RISK_ORDER_SIZE");
    d.risk.setTradingState("HALTED");
    assertRefused(() => send(d), "TW_RISK_TRADING_STATE");
    await d.main.eventEngine.waitForIdle();
    assert.deepEqual(
      events.map((e) => (e.kind === "refusal" ? `refusal ${e.rule} ${String(e.value)}` : e.kind === "state" ? `state ${e.from}→${e.to}` : `rule ${e.rule}`)),
      ["rule orderSizeLimit", "refusal orderSizeLimit 2", "refusal orderSizeLimit 3", "state ACTIVE→HALTED", "refusal tradingState order"],
    );
    const stats = d.risk.stats();
    assert.deepEqual(stats.refusals, { orderSizeLimit: 2, tradingState: 1 });
    assert.deepEqual([stats.checked, stats.passed, stats.refused], [3, 0, 3]);
    await d.main.close();
  });

  test("configure turns every absent rule off and logs each change with its old and new value", async () => {
    const d = await deskWithRiskLogged();
    d.risk.configure({ orderSizeLimit: 10, cancelLimit: 3 });
    d.risk.configure({ orderSizeLimit: 20 });
    d.risk.setRule("selfTrade", true);
    await d.main.eventEngine.waitForIdle();
    assert.deepEqual(
      d.logs.filter((m) => m.includes("→")),
      ["orderSizeLimit: off → 10", "cancelLimit: off → 3", "orderSizeLimit: 10 → 20", "cancelLimit: 3 → off", "selfTrade: off → true"],
    );
    assert.equal(d.risk.rules().cancelLimit, null);
    assert.equal(d.risk.rules().orderSizeLimit, 20);
    await d.main.close();
  });

  test("an unknown rule or a bad limit is refused and changes nothing", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ orderSizeLimit: 5 });
    assert.throws(
      () => d.risk.configure({ orderSizeLimt: 1 } as never),
      (e: unknown) => isTickwireError(e, "TW_RISK_BAD_OPTION") && /orderSizeLimt/.test(e.message),
    );
    assert.throws(
      () => d.risk.configure({ orderSizeLimit: -1 }),
      (e: unknown) => isTickwireError(e, "TW_RISK_BAD_OPTION"),
    );
    assert.throws(
      () => d.risk.configure({ activeOrderLimit: 1.5 }),
      (e: unknown) => isTickwireError(e, "TW_RISK_BAD_OPTION"),
    );
    assert.throws(
      () => d.risk.configure({ timezone: "Mars/Olympus" }),
      (e: unknown) => isTickwireError(e, "TW_RISK_BAD_OPTION"),
    );
    assert.equal(d.risk.rules().orderSizeLimit, 5);
    await d.main.close();
  });

  test("an order whose events overtake its gateway's answer is not counted active afterwards", async () => {
    const d = await deskWithRisk();
    d.risk.configure({ activeOrderLimit: 1 });
    // A remote gateway answers after the order's events arrived: here it fills before answering.
    const desk = d.gw as unknown as { sendOrder: (r: ReturnType<typeof order>) => Promise<string> | string };
    const local = desk.sendOrder.bind(d.gw);
    desk.sendOrder = async (r) => {
      const vtOrderid = local(r) as string;
      d.gw.fill(vtOrderid.split(".")[1], r.volume, r.price);
      await d.main.eventEngine.waitForIdle();
      return vtOrderid;
    };
    await d.main.sendOrder(order(), "DESK");
    assert.equal(d.risk.stats().activeOrders, 0);
    await d.main.sendOrder(order(), "DESK");
    await d.main.close();
  });
});

async function deskWithRiskLogged(): Promise<Desk & { logs: string[] }> {
  const d = await deskWithRisk();
  const logs: string[] = [];
  d.main.eventEngine.register("eLog", (e: { data: LogData }) => {
    if (e.data.gatewayName === "RiskManager") logs.push(e.data.msg);
  });
  return { ...d, logs };
}
