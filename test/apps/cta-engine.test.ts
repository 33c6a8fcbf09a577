import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CtaApp, EVENT_CTA_LOG, EVENT_CTA_STOPORDER, EVENT_CTA_STRATEGY, type CtaEngine } from "../../src/apps/cta/index.js";
import { Event } from "../../src/event/index.js";
import { readState, writeState, emptyState } from "../../src/apps/cta/state.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { CtaTemplate, type StopOrder, type StrategyData } from "../../src/strategy/index.js";
import {
  Direction,
  EVENT_TRADE,
  LogLevel,
  MainEngine,
  Offset,
  createTrade,
  type LogData,
  type OrderData,
  type TickData,
  type TradeData,
} from "../../src/trader/index.js";

const START = Date.UTC(2024, 2, 5, 1, 0);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "tw-cta-"));
  dirs.push(dir);
  return join(dir, "cta.json");
}

interface Desk {
  main: MainEngine;
  gw: SimGateway;
  cta: CtaEngine;
  events: Event[];
  /** Produces `n` ticks, each dispatched before the next. */
  ticks(n: number): Promise<void>;
  close(): Promise<void>;
}

async function desk(
  stateFile = tempFile(),
  options: { stopOrders?: "auto" | "local"; keepFinishedOrders?: number; keepTradeIds?: number } = {},
): Promise<Desk> {
  const main = new MainEngine(undefined, { log: false });
  const gw = main.addGateway(SimGateway);
  await main.connect({ seed: 5, startTime: START, tickRate: 0.2, instruments: "rb2410.SHFE,IF2412.CFFEX" }, "SIM");
  const cta = main.addApp(CtaApp);
  cta.configure({ stateFile, ...options });
  const events: Event[] = [];
  main.eventEngine.registerGeneral((e) => {
    if (e.type.startsWith("eCta")) events.push(e);
  });
  return {
    main,
    gw,
    cta,
    events,
    async ticks(n) {
      for (let i = 0; i < n; i++) {
        gw.generateTicks(1);
        await main.eventEngine.waitForIdle();
      }
    },
    close: () => main.close(),
  };
}

/** Records every callback; buys once aggressively on its first tick when `buyOnce`. */
class Recorder extends CtaTemplate {
  static override parameters = ["buyOnce", "throwOnTick", "rejectOnTick", "size"];
  static override variables = ["seen"];
  buyOnce = false;
  throwOnTick = false;
  rejectOnTick = false;
  size = 1;
  seen = 0;
  ticks: TickData[] = [];
  orders: OrderData[] = [];
  trades: TradeData[] = [];
  stopOrders: StopOrder[] = [];
  sent: string[] = [];

  override onTick(tick: TickData): void | Promise<void> {
    this.ticks.push(tick);
    this.seen++;
    if (this.throwOnTick) throw new Error("boom in onTick");
    if (this.rejectOnTick) return Promise.reject(new Error("async boom"));
    if (this.buyOnce && this.trading && this.sent.length === 0) this.sent = this.buy(tick.askPrice1 + 10 * this.getPricetick(), this.size);
  }
  override onOrder(order: OrderData): void {
    this.orders.push(order);
  }
  override onTrade(trade: TradeData): void {
    this.trades.push(trade);
  }
  override onStopOrder(so: StopOrder): void {
    this.stopOrders.push(so);
  }
}

async function started(d: Desk, name: string, vtSymbol: string, setting: Record<string, unknown> = {}): Promise<Recorder> {
  const s = (await d.cta.addStrategy(Recorder, name, vtSymbol, setting)) as Recorder;
  await d.cta.initStrategy(name);
  await d.cta.startStrategy(name);
  return s;
}

describe("CtaEngine", () => {
  test("ticks reach the strategies of their symbol only, and orders and trades only the strategy that sent them", async () => {
    const d = await desk();
    try {
      const rb = await started(d, "rb", "rb2410.SHFE", { buyOnce: true });
      const idx = await started(d, "if", "IF2412.CFFEX");
      await d.ticks(20);
      assert.ok(rb.ticks.length > 0 && idx.ticks.length > 0);
      assert.ok(rb.ticks.every((t) => t.vtSymbol === "rb2410.SHFE"));
      assert.ok(idx.ticks.every((t) => t.vtSymbol === "IF2412.CFFEX"));
      assert.equal(rb.sent.length, 1);
      assert.ok(rb.orders.length > 0 && rb.orders.every((o) => o.vtOrderid === rb.sent[0]));
      assert.equal(rb.trades.length, 1);
      assert.equal(rb.pos, 1);
      assert.deepEqual([idx.orders.length, idx.trades.length, idx.pos], [0, 0, 0]);
    } finally {
      await d.close();
    }
  });

  test("a trade reported twice moves the position once and reaches onTrade once", async () => {
    const d = await desk();
    try {
      const rb = await started(d, "rb", "rb2410.SHFE", { buyOnce: true });
      await d.ticks(5);
      assert.equal(rb.trades.length, 1);
      // A gateway replaying its fills (a reconnect, a snapshot) pushes the same trade again.
      d.main.eventEngine.put(new Event(EVENT_TRADE, { ...rb.trades[0] }));
      await d.main.eventEngine.waitForIdle();
      assert.equal(rb.trades.length, 1);
      assert.equal(rb.pos, 1);
    } finally {
      await d.close();
    }
  });

  test("a strategy whose callback throws is stopped alone, with its stack in the log and an eCtaStrategy event", async () => {
    const d = await desk();
    try {
      const bad = await started(d, "bad", "rb2410.SHFE");
      const good = await started(d, "good", "rb2410.SHFE");
      await d.ticks(4);
      const badSeen = bad.seen;
      const goodSeen = good.seen;
      bad.throwOnTick = true;
      await d.ticks(6);
      assert.equal(bad.trading, false);
      assert.equal(bad.seen, badSeen + 1, "no tick after the one that threw");
      assert.equal(good.trading, true);
      assert.equal(good.seen, goodSeen + 6);
      assert.match(d.cta.getStrategyError("bad") ?? "", /boom in onTick\n\s+at /);
      const logs = d.events.filter((e) => e.type === EVENT_CTA_LOG).map((e) => e.data as LogData);
      assert.ok(logs.some((l) => l.level === "ERROR" && /\[bad\] bad stopped: onTick threw\nError: boom in onTick\n\s+at /.test(l.msg)));
      const last = d.events.filter((e) => e.type === EVENT_CTA_STRATEGY && (e.data as StrategyData).strategyName === "bad").at(-1)!.data as StrategyData & {
        error?: string;
      };
      assert.equal(last.variables.trading, false);
      assert.match(last.error ?? "", /boom in onTick/);
    } finally {
      await d.close();
    }
  });

  test("a strategy whose async callback rejects is stopped alone", async () => {
    const d = await desk();
    try {
      const bad = await started(d, "bad", "rb2410.SHFE");
      const good = await started(d, "good", "rb2410.SHFE", { buyOnce: true });
      bad.rejectOnTick = true;
      await d.ticks(6);
      assert.equal(bad.trading, false);
      assert.match(d.cta.getStrategyError("bad") ?? "", /async boom/);
      assert.equal(good.trading, true);
      assert.equal(good.pos, 1);
    } finally {
      await d.close();
    }
  });

  test("a fill reported after a restart reaches the strategy that sent the order", async () => {
    const file = tempFile();
    const d1 = await desk(file);
    let vtOrderid: string;
    let order: OrderData;
    try {
      const s = await started(d1, "rb", "rb2410.SHFE");
      await d1.ticks(1);
      // Far below the market: it rests, and the process stops before it fills.
      vtOrderid = s.buy(s.ticks[0].lastPrice - 200, 2)[0];
      await d1.ticks(1);
      order = d1.main.getOrder(vtOrderid)!;
    } finally {
      await d1.close();
    }
    assert.equal((JSON.parse(readFileSync(file, "utf8")) as { orders: Record<string, string> }).orders[vtOrderid], "rb");
    const d2 = await desk(file);
    try {
      const other = await started(d2, "other", "rb2410.SHFE");
      const s = await started(d2, "rb", "rb2410.SHFE");
      assert.equal(d2.cta.getOrderStrategy(vtOrderid), "rb");
      // The venue reports the fill of the old order; this process's OMS never saw the order.
      const trade = createTrade({
        gatewayName: order.gatewayName,
        symbol: order.symbol,
        exchange: order.exchange,
        orderid: order.orderid,
        tradeid: "restart-fill-1",
        direction: Direction.LONG,
        offset: Offset.OPEN,
        price: order.price,
        volume: 2,
        datetime: START,
      });
      d2.main.eventEngine.put(new Event(EVENT_TRADE, trade));
      await d2.main.eventEngine.waitForIdle();
      assert.deepEqual(
        s.trades.map((t) => t.vtTradeid),
        [trade.vtTradeid],
      );
      assert.equal(s.pos, 2);
      assert.equal(other.trades.length, 0);
    } finally {
      await d2.close();
    }
  });

  test("a strategy keeps trading when the state file cannot be written, and the failure is logged once with its code", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-cta-"));
    dirs.push(dir);
    const sub = join(dir, "sub");
    const d = await desk(join(sub, "cta.json"));
    try {
      const s = await started(d, "rb", "rb2410.SHFE", { buyOnce: true });
      // Root ignores chmod: a regular file where the folder was makes mkdir and rename fail (ENOTDIR).
      rmSync(sub, { recursive: true, force: true });
      writeFileSync(sub, "not a folder");
      await d.ticks(5);
      assert.equal(s.sent.length, 1);
      assert.equal(s.trades.length, 1);
      assert.equal(s.pos, 1);
      assert.equal(s.trading, true);
      assert.equal(d.cta.getStrategyError("rb"), undefined);
      assert.equal(d.cta.getOrderStrategy(s.sent[0]), "rb");
      const errors = d.events.filter((e) => e.type === EVENT_CTA_LOG && (e.data as LogData).msg.includes("TW_CTA_STATE"));
      assert.equal(errors.length, 1);
      assert.equal((errors[0].data as LogData).level, LogLevel.ERROR);
      // Once the folder is back, the next change saves everything kept in memory.
      rmSync(sub);
      mkdirSync(sub);
      d.cta.editStrategy("rb", { size: 2 });
      assert.equal(readState(join(sub, "cta.json")).orders[s.sent[0]], "rb");
    } finally {
      await d.close();
    }
  });

  test("writing the state file into a path whose folder is a file throws TW_CTA_STATE", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-cta-"));
    dirs.push(dir);
    writeFileSync(join(dir, "blocker"), "");
    assert.throws(() => writeState(join(dir, "blocker", "cta.json"), emptyState()), { code: "TW_CTA_STATE" });
  });

  test("a state file of valid JSON but not an object is reported as not a tickwire CTA state file", () => {
    for (const text of ["null", "[]", "3", '{"orders": []}']) {
      const file = tempFile();
      writeFileSync(file, text);
      assert.throws(
        () => readState(file),
        (err: Error & { code?: string }) => err.code === "TW_CTA_STATE" && err.message.includes("not a tickwire CTA state file"),
      );
    }
  });

  test("the order map keeps only the newest ended orders beyond the live ones, and a late fill of a recent one still routes after a restart", async () => {
    const file = tempFile();
    const d1 = await desk(file, { keepFinishedOrders: 5 });
    let filled: string[] = [];
    let resting: string;
    let last: OrderData;
    try {
      const s = await started(d1, "rb", "rb2410.SHFE");
      await d1.ticks(1);
      const tick = s.ticks[0];
      for (let i = 0; i < 8; i++) filled = filled.concat(s.buy(tick.askPrice1 + 10 * s.getPricetick(), 1));
      resting = s.buy(tick.lastPrice - 200, 1)[0];
      await d1.ticks(3);
      assert.equal(s.trades.length, 8);
      assert.deepEqual(
        filled.map((id) => d1.cta.getOrderStrategy(id)),
        [undefined, undefined, undefined, "rb", "rb", "rb", "rb", "rb"],
      );
      assert.equal(d1.cta.getOrderStrategy(resting), "rb");
      last = d1.main.getOrder(filled[7])!;
      d1.cta.editStrategy("rb", { size: 1 });
    } finally {
      await d1.close();
    }
    const saved = JSON.parse(readFileSync(file, "utf8")) as { orders: Record<string, string> };
    assert.deepEqual(Object.keys(saved.orders).sort(), [...filled.slice(3), resting].sort());
    const d2 = await desk(file, { keepFinishedOrders: 5 });
    try {
      const s = await started(d2, "rb", "rb2410.SHFE");
      assert.equal(d2.cta.getOrderStrategy(resting), "rb");
      const trade = createTrade({
        gatewayName: last.gatewayName,
        symbol: last.symbol,
        exchange: last.exchange,
        orderid: last.orderid,
        tradeid: "late-fill-1",
        direction: Direction.LONG,
        offset: Offset.OPEN,
        price: last.price,
        volume: 1,
        datetime: START,
      });
      d2.main.eventEngine.put(new Event(EVENT_TRADE, trade));
      await d2.main.eventEngine.waitForIdle();
      assert.deepEqual(
        s.trades.map((t) => t.vtTradeid),
        [trade.vtTradeid],
      );
    } finally {
      await d2.close();
    }
  });

  test("only the newest keepTradeIds trade ids are remembered in memory, as in the file", async () => {
    const d = await desk(tempFile(), { keepTradeIds: 3 });
    try {
      const s = await started(d, "rb", "rb2410.SHFE");
      await d.ticks(1);
      for (let i = 0; i < 5; i++) s.buy(s.ticks[0].askPrice1 + 10 * s.getPricetick(), 1);
      await d.ticks(3);
      assert.equal(s.trades.length, 5);
      // The newest three replayed are ignored; the oldest, forgotten, counts again.
      for (const t of [...s.trades.slice(2), s.trades[0]]) d.main.eventEngine.put(new Event(EVENT_TRADE, { ...t }));
      await d.main.eventEngine.waitForIdle();
      assert.equal(s.trades.length, 6);
      assert.equal(s.trades[5].vtTradeid, s.trades[0].vtTradeid);
    } finally {
      await d.close();
    }
  });

  test("a local stop order waits, triggers on the tick that reaches it, and is sent as an aggressive limit", async () => {
    const d = await desk(tempFile(), { stopOrders: "local" });
    try {
      const s = await started(d, "rb", "rb2410.SHFE");
      await d.ticks(1);
      const last = s.ticks.at(-1)!.lastPrice;
      const [stopId] = s.buy(last + 1, 1, { stop: true });
      assert.match(stopId, /^STOP\.\d+$/);
      await d.main.eventEngine.waitForIdle();
      assert.equal(s.stopOrders.at(-1)?.status, "WAITING");
      assert.equal(d.main.getAllOrders().length, 0, "nothing sent to the venue yet");
      let n = 0;
      while (s.stopOrders.at(-1)?.status === "WAITING" && n++ < 2000) await d.ticks(1);
      const triggered = s.stopOrders.at(-1)!;
      assert.equal(triggered.status, "TRIGGERED");
      assert.ok(s.ticks.at(-1)!.lastPrice >= last + 1);
      assert.equal(triggered.vtOrderids.length, 1);
      const order = d.main.getOrder(triggered.vtOrderids[0])!;
      assert.equal(order.type, "LIMIT");
      const tick = s.ticks.at(-1)!;
      assert.equal(order.price, tick.limitUp || tick.askPrice5);
      await d.ticks(1);
      assert.equal(s.pos, 1);
      const stopEvents = d.events.filter((e) => e.type === EVENT_CTA_STOPORDER).map((e) => (e.data as StopOrder).status);
      assert.deepEqual(stopEvents, ["WAITING", "TRIGGERED"]);
      assert.equal(d.cta.getAllStopOrders().length, 0);
    } finally {
      await d.close();
    }
  });

  test("cancelling a local stop order ends it without sending anything", async () => {
    const d = await desk(tempFile(), { stopOrders: "local" });
    try {
      const s = await started(d, "rb", "rb2410.SHFE");
      await d.ticks(1);
      const [stopId] = s.buy(s.ticks[0].lastPrice + 500, 1, { stop: true });
      s.cancelOrder(stopId);
      await d.ticks(3);
      assert.deepEqual(
        s.stopOrders.map((x) => x.status),
        ["WAITING", "CANCELLED"],
      );
      assert.equal(d.main.getAllOrders().length, 0);
    } finally {
      await d.close();
    }
  });

  test("settings, edits and variables are saved and come back after a restart", async () => {
    const file = tempFile();
    const d1 = await desk(file);
    try {
      const s = await started(d1, "rb", "rb2410.SHFE", { buyOnce: true });
      d1.cta.editStrategy("rb", { size: 3 });
      assert.equal(s.size, 3);
      await d1.ticks(4);
      assert.equal(s.pos, 3);
      await d1.cta.stopStrategy("rb");
    } finally {
      await d1.close();
    }
    const d2 = await desk(file);
    try {
      d2.cta.registerStrategyClass(Recorder);
      assert.deepEqual(await d2.cta.restoreStrategies(), ["rb"]);
      const s = d2.cta.getStrategy("rb") as Recorder;
      assert.deepEqual([s.size, s.buyOnce, s.pos], [3, true, 0]);
      await d2.cta.initStrategy("rb");
      assert.equal(s.pos, 3, "pos restored at init");
      assert.ok(s.seen >= 4);
    } finally {
      await d2.close();
    }
  });

  test("a strategy is loaded from a .ts file by path, by default export or by class name", async () => {
    const d = await desk();
    try {
      const a = await d.cta.addStrategy("test/fixtures/cta-ma-strategy.ts", "a", "rb2410.SHFE", { fastWindow: 4 });
      const b = await d.cta.addStrategy({ file: "test/fixtures/cta-ma-strategy.ts", className: "ParityMaStrategy" }, "b", "rb2410.SHFE");
      assert.equal(a.getData().className, "ParityMaStrategy");
      assert.equal(a.getParameters().fastWindow, 4);
      assert.equal(b.getData().className, "ParityMaStrategy");
      await assert.rejects(d.cta.addStrategy({ file: "test/fixtures/cta-ma-strategy.ts", className: "Nope" }, "c", "rb2410.SHFE"), { code: "TW_CTA_LOAD" });
      await assert.rejects(d.cta.addStrategy("test/fixtures/no-such-strategy.ts", "d", "rb2410.SHFE"), { code: "TW_CTA_LOAD" });
    } finally {
      await d.close();
    }
  });
});

test("no source file of the CTA app imports another app", () => {
  const dir = join(import.meta.dirname, "../../src/apps/cta");
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(dir, name), "utf8");
    // "../x" from src/apps/cta is a sibling app; "../../x" is a lower layer.
    const imports = [...text.matchAll(/from\s+["'](\.\.\/[^."'][^"']*)["']/g)].map((m) => m[1]);
    assert.deepEqual(imports, [], `${name} imports another app`);
  }
});
