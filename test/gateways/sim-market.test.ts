import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_INSTRUMENTS, SimExchange, type SimBar } from "../../src/gateways/sim/index.js";
import type { InstrumentMarket } from "../../src/gateways/sim/InstrumentMarket.js";
import { MINUTE_MS } from "../../src/gateways/sim/PricePath.js";

const START = Date.UTC(2024, 2, 5, 6, 0); // on a minute boundary

function snapshot(m: InstrumentMarket): number[] {
  return [m.time, m.lastPrice, m.lastVolume, m.volume, m.openInterest, ...m.bidPrice, ...m.askPrice, ...m.bidVolume, ...m.askVolume];
}

function run(seed: number, steps: number, startTime = START): number[][] {
  const ex = new SimExchange({ seed, startTime, tickRate: 4 });
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) ex.step((m) => out.push(snapshot(m)));
  return out;
}

function liveBars(ex: SimExchange, vtSymbol: string, minutes: number): SimBar[] {
  const market = ex.getMarket(vtSymbol)!;
  const bars = new Map<number, SimBar>();
  const size = market.instrument.size;
  const take = (m: InstrumentMarket) => {
    if (m !== market) return;
    const t = Math.floor(m.time / MINUTE_MS) * MINUTE_MS;
    const b = bars.get(t);
    if (!b) {
      bars.set(t, {
        time: t,
        open: m.lastPrice,
        high: m.lastPrice,
        low: m.lastPrice,
        close: m.lastPrice,
        volume: m.lastVolume,
        turnover: m.lastPrice * m.lastVolume * size,
        openInterest: m.openInterest,
      });
      return;
    }
    b.high = Math.max(b.high, m.lastPrice);
    b.low = Math.min(b.low, m.lastPrice);
    b.close = m.lastPrice;
    b.volume = m.rules.roundVolume(b.volume + m.lastVolume);
    b.turnover += m.lastPrice * m.lastVolume * size;
    b.openInterest = m.openInterest;
  };
  take(market); // the first tick, made at start
  for (let i = 0; i < (minutes * MINUTE_MS) / ex.tickMs; i++) ex.step(take);
  return [...bars.values()].filter((b) => b.time + MINUTE_MS <= ex.now);
}

describe("market model", () => {
  test("the same seed and start time give the same ticks", () => {
    assert.deepEqual(run(11, 500), run(11, 500));
  });

  test("different seeds give different markets", () => {
    assert.notDeepEqual(run(11, 200), run(12, 200));
  });

  test("every price is on its tick, the book is ordered with the spread around the last price", () => {
    const ex = new SimExchange({ seed: 5, startTime: START, tickRate: 10 });
    for (let i = 0; i < 2000; i++) {
      ex.step((m) => {
        const r = m.rules;
        assert.ok(r.isOnTick(m.lastPrice), `${m.vtSymbol} last ${m.lastPrice}`);
        assert.ok(m.bidPrice[0] < m.askPrice[0]);
        assert.ok(m.bidPrice[0] <= m.lastPrice && m.lastPrice <= m.askPrice[0]);
        for (let l = 0; l < 5; l++) {
          if (m.bidPrice[l] !== 0) assert.ok(r.isOnTick(m.bidPrice[l]) && r.isVolumeMultiple(m.bidVolume[l]) && m.bidVolume[l] > 0);
          if (m.askPrice[l] !== 0) assert.ok(r.isOnTick(m.askPrice[l]) && r.isVolumeMultiple(m.askVolume[l]) && m.askVolume[l] > 0);
          if (l > 0 && m.bidPrice[l] !== 0) assert.ok(m.bidPrice[l] < m.bidPrice[l - 1]);
          if (l > 0 && m.askPrice[l] !== 0) assert.ok(m.askPrice[l] > m.askPrice[l - 1]);
        }
      });
    }
  });

  test("the day's statistics bound the last price and volume and turnover only grow", () => {
    const ex = new SimExchange({ seed: 5, startTime: START, tickRate: 10 });
    const prev = new Map<string, [number, number]>();
    for (let i = 0; i < 2000; i++) {
      ex.step((m) => {
        assert.ok(m.lowPrice <= m.lastPrice && m.lastPrice <= m.highPrice);
        assert.ok(m.openPrice >= m.lowPrice && m.openPrice <= m.highPrice);
        const [v, t] = prev.get(m.vtSymbol) ?? [0, 0];
        assert.ok(m.volume > v && m.turnover > t);
        prev.set(m.vtSymbol, [m.volume, m.turnover]);
        if (m.instrument.limitPct > 0) {
          assert.ok(m.limitDown <= m.lastPrice && m.lastPrice <= m.limitUp);
          assert.equal(m.limitUp, m.rules.snapDown(m.preClose * (1 + m.instrument.limitPct)));
        }
      });
    }
  });

  test("futures carry open interest, cash products none", () => {
    const ex = new SimExchange({ seed: 5, startTime: START });
    assert.ok(ex.getMarket("rb2410.SHFE")!.openInterest > 0);
    assert.equal(ex.getMarket("AAPL.NASDAQ")!.openInterest, 0);
  });

  test("ticks come at the configured rate: tickRate × 60 ticks a minute, evenly spaced", () => {
    const ex = new SimExchange({ seed: 5, startTime: START, tickRate: 5, instruments: [DEFAULT_INSTRUMENTS[0]] });
    const times: number[] = [ex.now];
    for (let i = 0; i < 300; i++) ex.step((m) => times.push(m.time));
    assert.equal(ex.ticksPerMinute, 300);
    assert.ok(times.every((t, i) => i === 0 || t - times[i - 1] === 200));
  });

  test("the walk starts at the instrument's initial price at the start time", () => {
    const ex = new SimExchange({ seed: 9, startTime: START });
    for (const m of ex.markets) {
      assert.ok(Math.abs(m.lastPrice / m.instrument.initialPrice - 1) < 0.01, `${m.vtSymbol} ${m.lastPrice}`);
    }
  });
});

describe("history", () => {
  test("history bars are exactly the bars of the live ticks of the same minutes", () => {
    const ex = new SimExchange({ seed: 21, startTime: START, tickRate: 2 });
    for (const vt of ["rb2410.SHFE", "BTCUSDT.BINANCE"]) {
      const fresh = new SimExchange({ seed: 21, startTime: START, tickRate: 2 });
      const live = liveBars(fresh, vt, 6);
      assert.ok(live.length >= 5);
      for (let i = 0; i < 8 * 2 * 60; i++) ex.step();
      const hist = ex.history(vt, live[0].time, live[live.length - 1].time);
      assert.deepEqual(hist, live);
    }
  });

  test("history is the same whatever range it is asked for", () => {
    const ex = new SimExchange({ seed: 21, startTime: START, tickRate: 2 });
    const wide = ex.history("IF2412.CFFEX", START - 3 * 3600_000, START - MINUTE_MS);
    const narrow = ex.history("IF2412.CFFEX", START - 3600_000, START - 1800_000);
    assert.equal(wide.length, 180);
    assert.deepEqual(narrow, wide.slice(120, 151));
  });

  test("history is deterministic for a seed and differs between seeds", () => {
    const a = new SimExchange({ seed: 1, startTime: START }).history("AAPL.NASDAQ", START - 3600_000, START);
    const b = new SimExchange({ seed: 1, startTime: START }).history("AAPL.NASDAQ", START - 3600_000, START);
    const c = new SimExchange({ seed: 2, startTime: START }).history("AAPL.NASDAQ", START - 3600_000, START);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test("history bars are well formed: high ≥ open, close ≥ low, positive volume, a minute apart", () => {
    const ex = new SimExchange({ seed: 4, startTime: START });
    const bars = ex.history("600519.SSE", START - 2 * 86_400_000, START);
    assert.equal(bars.length, 2 * 1440);
    for (let i = 0; i < bars.length; i++) {
      const b = bars[i];
      assert.ok(b.high >= Math.max(b.open, b.close) && b.low <= Math.min(b.open, b.close) && b.volume > 0);
      if (i > 0) assert.equal(b.time - bars[i - 1].time, MINUTE_MS);
    }
  });

  test("history never reaches past the last finished minute", () => {
    const ex = new SimExchange({ seed: 4, startTime: START });
    const bars = ex.history("600519.SSE", START - 600_000, START + 86_400_000);
    assert.ok(bars[bars.length - 1].time + MINUTE_MS <= ex.now);
  });

  test("hour bars aggregate the minute bars", () => {
    const ex = new SimExchange({ seed: 4, startTime: START });
    const minutes = ex.history("rb2410.SHFE", START - 2 * 3600_000, START - 1);
    const hours = ex.history("rb2410.SHFE", START - 2 * 3600_000, START - 1, 3600_000);
    assert.equal(hours.length, 2);
    const first = minutes.slice(0, 60);
    assert.equal(hours[0].open, first[0].open);
    assert.equal(hours[0].close, first[59].close);
    assert.equal(hours[0].high, Math.max(...first.map((b) => b.high)));
    assert.equal(hours[0].low, Math.min(...first.map((b) => b.low)));
    assert.equal(
      hours[0].volume,
      first.reduce((s, b) => s + b.volume, 0),
    );
  });

  test("a history too long to simulate in one query is refused with TW_SIM_HISTORY_TOO_LONG", () => {
    const ex = new SimExchange({ seed: 4, startTime: START, tickRate: 100 });
    assert.throws(() => ex.history("rb2410.SHFE", START - 365 * 86_400_000, START), { code: "TW_SIM_HISTORY_TOO_LONG" });
  });

  test("an unknown symbol in a history query throws TW_SIM_UNKNOWN_SYMBOL", () => {
    const ex = new SimExchange({ seed: 4, startTime: START });
    assert.throws(() => ex.history("XX.SHFE", START - 600_000, START), { code: "TW_SIM_UNKNOWN_SYMBOL" });
  });
});

describe("settings", () => {
  test("bad settings are refused with TW_SIM_BAD_OPTION", () => {
    assert.throws(() => new SimExchange({ tickRate: 0 }), { code: "TW_SIM_BAD_OPTION" });
    assert.throws(() => new SimExchange({ seed: 1.5 }), { code: "TW_SIM_BAD_OPTION" });
  });

  test("a bad instrument is refused naming the field", () => {
    assert.throws(() => new SimExchange({ instruments: [{ ...DEFAULT_INSTRUMENTS[0], priceTick: 0 }] }), {
      code: "TW_SIM_BAD_INSTRUMENT",
      message: /priceTick/,
    });
  });
});
