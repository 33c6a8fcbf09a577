/* CtaEngine.loadBar from a tickwire/data store (SQLite in a temp folder), and its fall-back to the gateway's history. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CtaApp, EVENT_CTA_LOG } from "../../src/apps/cta/index.js";
import { openDatabase, type Database } from "../../src/data/index.js";
import type { Event } from "../../src/event/index.js";
import { SimGateway } from "../../src/gateways/sim/index.js";
import { CtaTemplate } from "../../src/strategy/index.js";
import { Exchange, Interval, MainEngine, createBar, createHistoryRequest, createSubscribeRequest, type BarData, type LogData } from "../../src/trader/index.js";

const DAY_MS = 86_400_000;
const START = Date.UTC(2024, 2, 5, 1, 0);
const VT = "rb2410.SHFE";

class LoaderStrategy extends CtaTemplate {
  static override parameters = ["days", "hourly"];
  days = 1;
  hourly = false;
  readonly bars: BarData[] = [];
  override async onInit(): Promise<void> {
    await this.loadBar(this.days, this.hourly ? Interval.HOUR : Interval.MINUTE);
  }
  override onBar(bar: BarData): void {
    this.bars.push(bar);
  }
}

const fields = (b: BarData) => [b.vtSymbol, b.interval, b.datetime, b.openPrice, b.highPrice, b.lowPrice, b.closePrice, b.volume, b.turnover, b.openInterest];

function bar(symbol: string, exchange: Exchange, interval: Interval, datetime: number, i: number): BarData {
  const p = 3500 + (i % 37) - (i % 11);
  return createBar({
    gatewayName: "DB",
    symbol,
    exchange,
    interval,
    datetime,
    openPrice: p,
    highPrice: p + 3,
    lowPrice: p - 2,
    closePrice: p + 1,
    volume: 10 + i,
    turnover: (10 + i) * p * 10,
    openInterest: 1000 + i,
  });
}

/**
 * A MainEngine on the sim, rb2410.SHFE subscribed, and the time of its tick: "now" for loadBar. At
 * 0.001 ticks/s the sim's clock makes its next tick a minute after connecting: "now" stays put.
 */
async function simEngine(dir: string, db: Database) {
  const main = new MainEngine(undefined, { log: false });
  const gw = main.addGateway(SimGateway);
  await main.connect({ seed: 5, startTime: START, tickRate: 0.001, instruments: VT }, "SIM");
  await main.subscribe(createSubscribeRequest({ symbol: "rb2410", exchange: Exchange.SHFE }), "SIM");
  await main.eventEngine.waitForIdle();
  const now = main.getTick(VT)!.datetime;
  const cta = main.addApp(CtaApp);
  cta.configure({ stateFile: join(dir, "cta.json"), database: db });
  const logs: string[] = [];
  main.eventEngine.register(EVENT_CTA_LOG as never, ((e: Event<LogData>) => void logs.push(e.data.msg)) as never);
  return { main, gw, cta, now, logs };
}

test("loadBar(days) in onInit gets exactly the store's bars of its series in [now − days, now], in time order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-cta12-loadbar-"));
  const db = await openDatabase(`sqlite:${join(dir, "bars.sqlite")}`);
  const { main, cta, now } = await simEngine(dir, db);
  try {
    // Every 20 minutes from 3 days before "now" to 2 hours after it, on "now" itself: the window's ends are bars.
    const step = 20 * 60_000;
    const minute: BarData[] = [];
    for (let k = -216; k <= 6; k++) minute.push(bar("rb2410", Exchange.SHFE, Interval.MINUTE, now + k * step, k + 216));
    const hourly: BarData[] = [];
    for (let k = -72; k <= 2; k++) hourly.push(bar("rb2410", Exchange.SHFE, Interval.HOUR, now + k * 3_600_000, k + 500));
    const other = minute.map((b, i) => bar("IF2412", Exchange.CFFEX, Interval.MINUTE, b.datetime, i + 900));
    // Saved out of order and in several calls: the load sorts.
    await db.saveBars([...minute].reverse());
    await db.saveBars(other);
    await db.saveBars(hourly);

    const two = (await cta.addStrategy(LoaderStrategy, "two-days", VT, { days: 2 })) as LoaderStrategy;
    const hour = (await cta.addStrategy(LoaderStrategy, "one-day-hourly", VT, { days: 1, hourly: true })) as LoaderStrategy;
    await cta.initAll();
    assert.equal(two.inited, true);
    assert.equal(hour.inited, true);

    const expected = minute.filter((b) => b.datetime >= now - 2 * DAY_MS && b.datetime <= now);
    assert.equal(expected.length, 2 * 72 + 1);
    assert.deepEqual(two.bars.map(fields), expected.map(fields));
    assert.equal(two.bars[0].datetime, now - 2 * DAY_MS, "the window's first instant is included");
    assert.equal(two.bars[two.bars.length - 1].datetime, now, "and its last");
    const expectedHourly = hourly.filter((b) => b.datetime >= now - DAY_MS && b.datetime <= now);
    assert.equal(expectedHourly.length, 25);
    assert.deepEqual(hour.bars.map(fields), expectedHourly.map(fields));
  } finally {
    await main.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("with a store that has none of the symbol's bars, loadBar falls back to the gateway's history and says so", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tw-cta12-loadbar-"));
  const db = await openDatabase(`sqlite:${join(dir, "bars.sqlite")}`);
  const { main, gw, cta, now, logs } = await simEngine(dir, db);
  try {
    await db.saveBars([bar("IF2412", Exchange.CFFEX, Interval.MINUTE, now - 60_000, 1)]);
    const s = (await cta.addStrategy(LoaderStrategy, "fallback", VT, { days: 1 })) as LoaderStrategy;
    await cta.initStrategy("fallback");
    const history = gw.queryHistory(
      createHistoryRequest({ symbol: "rb2410", exchange: Exchange.SHFE, start: now - DAY_MS, end: now, interval: Interval.MINUTE }),
    );
    assert.ok(history.length > 600, `the sim has a day of minute bars (${history.length})`);
    assert.deepEqual(s.bars.map(fields), history.map(fields));
    await main.eventEngine.waitForIdle();
    assert.ok(
      logs.some((m) => /\[fallback\] no 1m bars of rb2410\.SHFE in sqlite:.*asking SIM's history/.test(m)),
      logs.join("\n"),
    );
  } finally {
    await main.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
