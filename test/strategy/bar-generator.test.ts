import { test } from "node:test";
import assert from "node:assert/strict";
import { BarGenerator } from "../../src/strategy/index.js";
import { Exchange, createTick, type BarData } from "../../src/trader/index.js";

const T0 = Date.UTC(2024, 0, 2, 1, 0);
const tick = (ms: number, lastPrice: number, volume: number) =>
  createTick({ gatewayName: "T", symbol: "rb2410", exchange: Exchange.SHFE, datetime: T0 + ms, lastPrice, volume, openInterest: 7 });

test("a minute bar is handed over on the first tick of a later minute, with the growth of the day's volume", () => {
  const bars: BarData[] = [];
  const bg = new BarGenerator((b) => bars.push(b));
  bg.updateTick(tick(0, 10, 100));
  bg.updateTick(tick(20_000, 12, 103));
  bg.updateTick(tick(30_000, 0, 103)); // no trade price: ignored
  bg.updateTick(tick(40_000, 9, 110));
  bg.updateTick(tick(59_999, 11, 111));
  assert.equal(bars.length, 0);
  bg.updateTick(tick(60_000, 13, 115));
  assert.equal(bars.length, 1);
  const b = bars[0];
  assert.deepEqual(
    [b.datetime, b.openPrice, b.highPrice, b.lowPrice, b.closePrice, b.volume, b.interval, b.vtSymbol],
    [T0, 10, 12, 9, 11, 11, "1m", "rb2410.SHFE"],
  );
  bg.flush();
  assert.deepEqual([bars.length, bars[1].datetime, bars[1].openPrice, bars[1].volume], [2, T0 + 60_000, 13, 4]);
});
