import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isTickwireError } from "../../src/event/index.js";
import { BarGenerator, Exchange, Interval, createBar, createTick, type BarData, type BarGeneratorOptions } from "../../src/trader/index.js";

const MIN = 60_000;
/** 2024-06-03 09:00:00 UTC (a Monday). */
const D = Date.UTC(2024, 5, 3, 9, 0, 0);
/** 2024-06-03 00:00 Asia/Shanghai (UTC+8, no DST). */
const SH_MIDNIGHT = Date.UTC(2024, 5, 2, 16, 0, 0);

function tick(datetime: number, lastPrice: number, volume = 0, extra: Partial<Parameters<typeof createTick>[0]> = {}) {
  return createTick({ gatewayName: "SIM", symbol: "rb2410", exchange: Exchange.SHFE, datetime, lastPrice, volume, turnover: volume * 10, ...extra });
}

function minuteBar(datetime: number, o: number, h: number, l: number, c: number, volume: number, openInterest = 0): BarData {
  return createBar({
    gatewayName: "SIM",
    symbol: "rb2410",
    exchange: Exchange.SHFE,
    datetime,
    interval: Interval.MINUTE,
    openPrice: o,
    highPrice: h,
    lowPrice: l,
    closePrice: c,
    volume,
    turnover: volume * 100,
    openInterest,
  });
}

/** The window bar of `bars` as a person would compute it: first open, max high, min low, last close, sums. */
function aggregate(bars: BarData[], datetime: number, interval: Interval): BarData {
  return createBar({
    gatewayName: "SIM",
    symbol: "rb2410",
    exchange: Exchange.SHFE,
    datetime,
    interval,
    openPrice: bars[0].openPrice,
    highPrice: Math.max(...bars.map((b) => b.highPrice)),
    lowPrice: Math.min(...bars.map((b) => b.lowPrice)),
    closePrice: bars[bars.length - 1].closePrice,
    volume: bars.reduce((s, b) => s + b.volume, 0),
    turnover: bars.reduce((s, b) => s + b.turnover, 0),
    openInterest: bars[bars.length - 1].openInterest,
  });
}

/** Minute bars at the given times with varied, deterministic prices. */
function series(times: number[]): BarData[] {
  return times.map((t, i) => {
    const o = 3500 + ((i * 7) % 13);
    return minuteBar(t, o, o + 1 + (i % 3), o - 1 - (i % 2), o + ((i % 5) - 2), 10 + i, 1000 + i);
  });
}

function minutesFrom(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i * MIN);
}

function windowGenerator(options: BarGeneratorOptions): { bg: BarGenerator; out: BarData[] } {
  const out: BarData[] = [];
  const bg = new BarGenerator(() => {}, { ...options, onWindowBar: (b) => out.push(b) });
  return { bg, out };
}

describe("BarGenerator from ticks", () => {
  test("a tick of a new minute pushes the finished 1-minute bar with OHLC from last prices and volume as deltas", () => {
    const bars: BarData[] = [];
    const bg = new BarGenerator((b) => bars.push(b));
    bg.updateTick(tick(D + 500, 100, 1000, { openInterest: 7 }));
    bg.updateTick(tick(D + 20_000, 102, 1005, { openInterest: 8 }));
    bg.updateTick(tick(D + 40_000, 99, 1008, { openInterest: 9 }));
    assert.equal(bars.length, 0);
    bg.updateTick(tick(D + MIN + 5_000, 101, 1010, { openInterest: 6 }));
    assert.deepEqual(bars, [
      createBar({
        gatewayName: "SIM",
        symbol: "rb2410",
        exchange: Exchange.SHFE,
        datetime: D,
        interval: Interval.MINUTE,
        openPrice: 100,
        highPrice: 102,
        lowPrice: 99,
        closePrice: 99,
        volume: 8,
        turnover: 80,
        openInterest: 9,
      }),
    ]);
    assert.deepEqual(bg.generate(), { ...minuteBar(D + MIN, 101, 101, 101, 101, 2, 6), turnover: 20 });
    assert.equal(bars.length, 2);
    assert.equal(bg.generate(), null);
  });

  test("a tick with a zero last price is ignored", () => {
    const bars: BarData[] = [];
    const bg = new BarGenerator((b) => bars.push(b));
    bg.updateTick(tick(D, 0, 100));
    assert.equal(bg.currentBar, null);
    bg.updateTick(tick(D + 1000, 50, 110));
    bg.updateTick(tick(D + 2000, 0, 120));
    const bar = bg.currentBar as BarData | null;
    assert.deepEqual([bar?.closePrice, bar?.volume], [50, 0]);
  });

  test("a cumulative volume that drops (a new trading day) adds nothing instead of a negative volume", () => {
    const bg = new BarGenerator(() => {});
    bg.updateTick(tick(D, 10, 5000));
    bg.updateTick(tick(D + 1000, 11, 3));
    bg.updateTick(tick(D + 2000, 12, 7));
    assert.equal(bg.currentBar?.volume, 4);
  });

  test("a tick of a minute already pushed is dropped and counted, and neither bar changes", () => {
    const bars: BarData[] = [];
    const bg = new BarGenerator((b) => bars.push(b));
    bg.updateTick(tick(D + 1000, 100, 10));
    bg.updateTick(tick(D + MIN + 1000, 101, 11));
    const pushed = { ...bars[0] };
    const current = { ...bg.currentBar! };
    bg.updateTick(tick(D + MIN - 10, 90, 12));
    assert.deepEqual(bars, [pushed]);
    assert.deepEqual(bg.currentBar, current);
    assert.equal(bg.stats().lateTicks, 1);
  });

  test("an out-of-order tick of the minute in progress widens high and low but keeps the latest close", () => {
    const bg = new BarGenerator(() => {});
    bg.updateTick(tick(D + 1000, 100, 10));
    bg.updateTick(tick(D + 3000, 101, 12));
    bg.updateTick(tick(D + 2000, 97, 11));
    const bar = bg.currentBar!;
    assert.deepEqual([bar.highPrice, bar.lowPrice, bar.closePrice, bar.volume], [101, 97, 101, 2]);
    assert.equal(bg.stats().lateTicks, 0);
  });
});

describe("BarGenerator timer", () => {
  // The local clock runs two years ahead of the data: closing must follow the data's clock.
  const LOCAL = Date.UTC(2026, 0, 1);

  function timed(graceMs = 1000) {
    let local = LOCAL;
    const bars: BarData[] = [];
    const bg = new BarGenerator((b) => bars.push(b), { clock: () => local, graceMs });
    return { bg, bars, at: (ms: number) => (local = LOCAL + ms) };
  }

  test("the timer pushes a finished minute once it is over plus the grace, with no next tick", () => {
    const { bg, bars, at } = timed();
    at(0);
    bg.updateTick(tick(D + 10_000, 100, 1));
    at(40_000);
    bg.updateTick(tick(D + 50_000, 103, 4));
    bg.onTimer(LOCAL + 50_999); // data clock 09:01:00.999: within the grace
    assert.equal(bars.length, 0);
    bg.onTimer(LOCAL + 51_000);
    assert.deepEqual(bars, [{ ...minuteBar(D, 100, 103, 100, 103, 3, 0), turnover: 30 }]);
    assert.equal(bg.stats().timerClosed, 1);
  });

  test("a tick of a minute the timer closed is dropped and counted; the next minute starts a new bar", () => {
    const { bg, bars, at } = timed();
    at(0);
    bg.updateTick(tick(D + 59_000, 100, 1));
    bg.onTimer(LOCAL + 2_000);
    assert.equal(bars.length, 1);
    at(2_100);
    bg.updateTick(tick(D + 59_900, 99, 2));
    assert.equal(bg.stats().lateTicks, 1);
    bg.updateTick(tick(D + MIN + 1_500, 98, 3));
    assert.equal(bars.length, 1);
    assert.deepEqual([bg.currentBar?.datetime, bg.currentBar?.openPrice, bg.currentBar?.volume], [D + MIN, 98, 2]);
  });

  test("the timer pushes nothing before any data and nothing for a minute still in progress", () => {
    const { bg, bars, at } = timed();
    bg.onTimer(LOCAL + 10 * MIN);
    at(0);
    bg.updateTick(tick(D + 1000, 100, 1));
    bg.onTimer(LOCAL + 30_000);
    assert.equal(bars.length, 0);
  });
});

describe("BarGenerator window bars", () => {
  test("x-minute bars hold the minutes of their window, labelled at its start", () => {
    const { bg, out } = windowGenerator({ window: 5 });
    const bars = series(minutesFrom(D, 10));
    for (const b of bars) bg.updateBar(b);
    assert.deepEqual(out, [aggregate(bars.slice(0, 5), D, Interval.MINUTE), aggregate(bars.slice(5), D + 5 * MIN, Interval.MINUTE)]);
  });

  test("a missing last minute does not merge two x-minute windows into one", () => {
    const { bg, out } = windowGenerator({ window: 5 });
    const bars = series([D, D + MIN, D + 3 * MIN, D + 6 * MIN, D + 9 * MIN]);
    for (const b of bars) bg.updateBar(b);
    assert.deepEqual(out, [aggregate(bars.slice(0, 3), D, Interval.MINUTE), aggregate(bars.slice(3), D + 5 * MIN, Interval.MINUTE)]);
  });

  test("a first bar in the middle of a window is labelled with the window's start", () => {
    const { bg, out } = windowGenerator({ window: 15 });
    const bars = series(minutesFrom(D + 37 * MIN, 8));
    for (const b of bars) bg.updateBar(b);
    assert.deepEqual(out, [aggregate(bars, D + 30 * MIN, Interval.MINUTE)]);
  });

  test("hour bars hold hh:00 to hh:59 and close at the break, not with the next session's first bar", () => {
    const { bg, out } = windowGenerator({ interval: Interval.HOUR, window: 1 });
    // 09:00-10:14, then 10:30-11:29, then 13:30-13:44.
    const bars = series([...minutesFrom(D, 75), ...minutesFrom(D + 90 * MIN, 60), ...minutesFrom(D + 270 * MIN, 15)]);
    for (const b of bars) bg.updateBar(b);
    assert.deepEqual(out, [
      aggregate(bars.slice(0, 60), D, Interval.HOUR),
      aggregate(bars.slice(60, 75 + 30), D + 60 * MIN, Interval.HOUR),
      aggregate(bars.slice(105, 135), D + 120 * MIN, Interval.HOUR),
    ]);
  });

  test("x-hour bars count the hours that had bars, labelled with their first hour", () => {
    const { bg, out } = windowGenerator({ interval: Interval.HOUR, window: 2 });
    // 09:00-11:59 then 13:00-13:59: hours 9+10, then 11+13.
    const bars = series([...minutesFrom(D, 180), ...minutesFrom(D + 240 * MIN, 60)]);
    for (const b of bars) bg.updateBar(b);
    assert.deepEqual(out, [aggregate(bars.slice(0, 120), D, Interval.HOUR), aggregate(bars.slice(120, 240), D + 120 * MIN, Interval.HOUR)]);
  });

  test("the timer closes an hour bar once the hour is over", () => {
    const local = 0;
    const { bg, out } = windowGenerator({ interval: Interval.HOUR, window: 1, clock: () => local });
    const bars = series(minutesFrom(D, 30));
    for (const b of bars) bg.updateBar(b);
    bg.onTimer(30 * MIN);
    assert.equal(out.length, 0);
    bg.onTimer(30 * MIN + 1000);
    assert.deepEqual(out, [aggregate(bars, D, Interval.HOUR)]);
  });

  test("daily bars close at dailyEnd in the given zone even with no bar stamped at the end, labelled at local midnight", () => {
    const { bg, out } = windowGenerator({ interval: Interval.DAILY, dailyEnd: "15:00", timezone: "Asia/Shanghai" });
    const day1 = SH_MIDNIGHT + 9 * 60 * MIN; // 2024-06-03 09:00 Shanghai
    // Day 1: 09:00-11:29 and 13:30-14:57 (no 14:58 or 14:59 bar); night 21:00-22:59 and
    // 09:00-14:59 of the next day belong to day 2.
    const d1 = series([...minutesFrom(day1, 150), ...minutesFrom(day1 + 270 * MIN, 88)]);
    const night = series(minutesFrom(day1 + 12 * 60 * MIN, 120));
    const d2 = series(minutesFrom(day1 + 24 * 60 * MIN, 360));
    for (const b of [...d1, ...night, ...d2]) bg.updateBar(b);
    assert.deepEqual(out, [aggregate(d1, SH_MIDNIGHT, Interval.DAILY), aggregate([...night, ...d2], SH_MIDNIGHT + 24 * 60 * MIN, Interval.DAILY)]);
  });

  test("the timer closes the trading day at dailyEnd when its last bar never reaches it", () => {
    const local = 0;
    const { bg, out } = windowGenerator({ interval: Interval.DAILY, dailyEnd: "00:00", clock: () => local });
    const bars = series(minutesFrom(Date.UTC(2024, 5, 3, 23, 50), 5)); // last bar 23:54 UTC
    for (const b of bars) bg.updateBar(b);
    bg.onTimer(5 * MIN + 999);
    assert.equal(out.length, 0);
    bg.onTimer(5 * MIN + 1000);
    assert.deepEqual(out, [aggregate(bars, Date.UTC(2024, 5, 3), Interval.DAILY)]);
  });

  test("a minute bar of a window already pushed is dropped and counted", () => {
    const { bg, out } = windowGenerator({ window: 5 });
    const bars = series(minutesFrom(D, 6));
    for (const b of bars) bg.updateBar(b);
    bg.updateBar(series([D + 2 * MIN])[0]);
    assert.equal(bg.stats().lateBars, 1);
    assert.deepEqual(out, [aggregate(bars.slice(0, 5), D, Interval.MINUTE)]);
  });

  test("ticks through onBar into updateBar give x-minute bars (vnpy's usual wiring)", () => {
    const out: BarData[] = [];
    const bg: BarGenerator = new BarGenerator((b) => bg.updateBar(b), { window: 2, onWindowBar: (b) => out.push(b) });
    bg.updateTick(tick(D + 1000, 100, 10));
    bg.updateTick(tick(D + MIN + 1000, 104, 13));
    bg.updateTick(tick(D + 2 * MIN + 1000, 101, 20));
    assert.deepEqual(out, [{ ...minuteBar(D, 100, 104, 100, 104, 3), turnover: 30 }]);
  });
});

describe("BarGenerator options", () => {
  const cases: Array<[string, BarGeneratorOptions]> = [
    ["a minute window that does not divide 60", { window: 7 }],
    ["a daily interval without dailyEnd", { interval: Interval.DAILY }],
    ["a malformed dailyEnd", { interval: Interval.DAILY, dailyEnd: "3pm" }],
    ["an unknown time zone", { timezone: "Mars/Olympus" }],
    ["an unsupported interval", { interval: Interval.WEEKLY }],
  ];
  for (const [what, options] of cases) {
    test(`${what} is refused with TW_TRADER_BAD_OPTION`, () => {
      assert.throws(
        () => new BarGenerator(() => {}, options),
        (e) => isTickwireError(e, "TW_TRADER_BAD_OPTION"),
      );
    });
  }
});
