/**
 * The one behaviour suite every store backend passes: run by sqlite.test.ts and postgres.test.ts.
 * Tests share one store and keep apart by using their own symbols.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { isTickwireError } from "../../src/event/index.js";
import { createBar, createTick, Interval, type BarData, type TickData } from "../../src/trader/index.js";
import type { Database } from "../../src/data/index.js";

export interface SuiteTarget {
  /** Opens a new connection to the same store (created on first open). */
  open: () => Promise<Database>;
  /** Skip reason, or false. */
  skip: string | false;
}

let counter = 0;
/** A symbol no other test of the run uses (dots allowed in symbols, so one is used here). */
function sym(): string {
  return `t${process.pid}.n${++counter}`;
}

const T0 = Date.UTC(2024, 0, 2, 1, 0);
const MIN = 60_000;

export function bars(symbol: string, n: number, from = T0, interval: Interval = Interval.MINUTE): BarData[] {
  return Array.from({ length: n }, (_, i) =>
    createBar({
      gatewayName: "CSV",
      symbol,
      exchange: "SHFE",
      datetime: from + i * MIN,
      interval,
      openPrice: 3500.1 + i,
      highPrice: 3510.7 + i,
      lowPrice: 3490.3 + i,
      closePrice: 3505.9 + i,
      volume: 100 + i,
      turnover: 0.1 + (i * 1e7) / 3,
      openInterest: 1_500_000 + i,
    }),
  );
}

const TICK_NUMBERS = [
  "volume",
  "turnover",
  "openInterest",
  "lastPrice",
  "lastVolume",
  "limitUp",
  "limitDown",
  "openPrice",
  "highPrice",
  "lowPrice",
  "preClose",
  "bidPrice1",
  "bidPrice2",
  "bidPrice3",
  "bidPrice4",
  "bidPrice5",
  "askPrice1",
  "askPrice2",
  "askPrice3",
  "askPrice4",
  "askPrice5",
  "bidVolume1",
  "bidVolume2",
  "bidVolume3",
  "bidVolume4",
  "bidVolume5",
  "askVolume1",
  "askVolume2",
  "askVolume3",
  "askVolume4",
  "askVolume5",
] as const;

/** Ticks whose every number field holds a value of its own, so a swapped column shows. */
export function ticks(symbol: string, n: number, from = T0): TickData[] {
  return Array.from({ length: n }, (_, i) => {
    const tick = createTick({
      gatewayName: "SIM",
      symbol,
      exchange: "SHFE",
      datetime: from + i * 500,
      name: `螺纹钢 ${i}\ttab\\back`,
    });
    TICK_NUMBERS.forEach((f, k) => (tick[f] = 1000 * (k + 1) + i / 3));
    return tick;
  });
}

export function storeSuite(backend: string, target: SuiteTarget): void {
  describe(`${backend} store`, { skip: target.skip }, () => {
    let db: Database;
    before(async () => {
      db = await target.open();
    });
    after(async () => {
      await db?.close();
    });

    test("bars saved and loaded back keep every field exactly", async () => {
      const s = sym();
      const saved = bars(s, 50);
      assert.equal(await db.saveBars(saved), 50);
      assert.deepEqual(await db.loadBars({ vtSymbol: `${s}.SHFE`, interval: "1m" }), saved);
    });

    test("ticks saved and loaded back keep every field exactly", async () => {
      const s = sym();
      const saved = ticks(s, 20);
      assert.equal(await db.saveTicks(saved), 20);
      assert.deepEqual(await db.loadTicks({ vtSymbol: `${s}.SHFE` }), saved);
    });

    test("saving a bar that exists replaces it and keeps the count", async () => {
      const s = sym();
      await db.saveBars(bars(s, 3));
      const changed = { ...bars(s, 3)[1], closePrice: 1, gatewayName: "OTHER", volume: 9 };
      await db.saveBars([changed]);
      const loaded = await db.loadBars({ vtSymbol: `${s}.SHFE`, interval: "1m" });
      assert.equal(loaded.length, 3);
      assert.deepEqual(loaded[1], changed);
      const row = (await db.barOverview()).find((o) => o.symbol === s);
      assert.equal(row?.count, 3);
    });

    test("the same bar twice in one batch is saved once, the later one winning", async () => {
      const s = sym();
      const [a] = bars(s, 1);
      const b = { ...a, closePrice: a.closePrice + 1 };
      await db.saveBars([a, b]);
      assert.deepEqual(await db.loadBars({ vtSymbol: `${s}.SHFE`, interval: "1m" }), [b]);
      assert.equal((await db.barOverview()).find((o) => o.symbol === s)?.count, 1);
    });

    test("saving a tick that exists replaces it", async () => {
      const s = sym();
      await db.saveTicks(ticks(s, 2));
      const changed = { ...ticks(s, 2)[0], lastPrice: 1.5 };
      await db.saveTicks([changed]);
      const loaded = await db.loadTicks({ vtSymbol: `${s}.SHFE` });
      assert.deepEqual(loaded, [changed, ticks(s, 2)[1]]);
      assert.equal((await db.tickOverview()).find((o) => o.symbol === s)?.count, 2);
    });

    test("bars load in time order whatever order they were saved in", async () => {
      const s = sym();
      const all = bars(s, 30);
      await db.saveBars([...all.slice(20), ...all.slice(0, 10).reverse()]);
      await db.saveBars(all.slice(10, 20));
      assert.deepEqual(await db.loadBars({ vtSymbol: `${s}.SHFE`, interval: "1m" }), all);
    });

    test("a range includes both ends and takes epoch ms, Date and ISO text", async () => {
      const s = sym();
      const all = bars(s, 10);
      await db.saveBars(all);
      const q = { vtSymbol: `${s}.SHFE`, interval: "1m" as const };
      assert.deepEqual(await db.loadBars({ ...q, start: all[2].datetime, end: all[5].datetime }), all.slice(2, 6));
      assert.deepEqual(await db.loadBars({ ...q, start: new Date(all[7].datetime) }), all.slice(7));
      assert.deepEqual(await db.loadBars({ ...q, end: new Date(all[1].datetime).toISOString() }), all.slice(0, 2));
    });

    test("bars of one symbol at two intervals are two series", async () => {
      const s = sym();
      await db.saveBars(bars(s, 5, T0, Interval.MINUTE));
      await db.saveBars(bars(s, 2, T0, Interval.HOUR));
      const hours = await db.loadBars({ vtSymbol: `${s}.SHFE`, interval: "1h" });
      assert.deepEqual(hours, bars(s, 2, T0, Interval.HOUR));
      const rows = (await db.barOverview()).filter((o) => o.symbol === s).map((o) => [o.interval, o.count]);
      assert.deepEqual(rows, [
        ["1h", 2],
        ["1m", 5],
      ]);
    });

    test("the bar overview follows saves and deletes", async () => {
      const s = sym();
      const all = bars(s, 10);
      await db.saveBars(all.slice(0, 6));
      await db.saveBars(all.slice(4));
      const row = () => db.barOverview().then((rows) => rows.find((o) => o.symbol === s));
      assert.deepEqual(await row(), {
        vtSymbol: `${s}.SHFE`,
        symbol: s,
        exchange: "SHFE",
        interval: "1m",
        count: 10,
        start: all[0].datetime,
        end: all[9].datetime,
      });
      const q = { vtSymbol: `${s}.SHFE`, interval: "1m" as const };
      assert.equal(await db.deleteBars({ ...q, start: all[0].datetime, end: all[1].datetime }), 2);
      assert.equal(await db.deleteBars({ ...q, start: all[9].datetime }), 1);
      assert.deepEqual(await row(), { ...(await row())!, count: 7, start: all[2].datetime, end: all[8].datetime });
      assert.equal(await db.deleteBars(q), 7);
      assert.equal(await row(), undefined);
      assert.deepEqual(await db.loadBars(q), []);
    });

    test("the tick overview follows saves and deletes", async () => {
      const s = sym();
      const all = ticks(s, 6);
      await db.saveTicks(all);
      const row = () => db.tickOverview().then((rows) => rows.find((o) => o.symbol === s));
      assert.deepEqual(await row(), { vtSymbol: `${s}.SHFE`, symbol: s, exchange: "SHFE", count: 6, start: all[0].datetime, end: all[5].datetime });
      assert.equal(await db.deleteTicks({ vtSymbol: `${s}.SHFE`, end: all[2].datetime }), 3);
      assert.deepEqual(await row(), { vtSymbol: `${s}.SHFE`, symbol: s, exchange: "SHFE", count: 3, start: all[3].datetime, end: all[5].datetime });
    });

    test("streaming returns the same bars as loadBars, in order, in batches of the size asked", async () => {
      const s = sym();
      await db.saveBars(bars(s, 95));
      const q = { vtSymbol: `${s}.SHFE`, interval: "1m" as const, start: T0 + 3 * MIN };
      const sizes: number[] = [];
      const streamed: BarData[] = [];
      for await (const batch of db.streamBars(q, { batchSize: 10 })) {
        sizes.push(batch.length);
        streamed.push(...batch);
      }
      assert.deepEqual(streamed, await db.loadBars(q));
      assert.deepEqual(sizes, [10, 10, 10, 10, 10, 10, 10, 10, 10, 2]);
    });

    test("streaming ticks returns the same ticks as loadTicks", async () => {
      const s = sym();
      await db.saveTicks(ticks(s, 25));
      const streamed: TickData[] = [];
      for await (const batch of db.streamTicks({ vtSymbol: `${s}.SHFE` }, { batchSize: 7 })) streamed.push(...batch);
      assert.deepEqual(streamed, await db.loadTicks({ vtSymbol: `${s}.SHFE` }));
    });

    test("a batch with one invalid bar is refused with TW_DATA_INVALID_BAR naming it, and nothing of it is saved", async () => {
      const s = sym();
      const cases: Array<[Partial<BarData>, RegExp]> = [
        [{ highPrice: 1, lowPrice: 2 }, /highPrice 1 is below lowPrice 2/],
        [{ openPrice: NaN }, /openPrice NaN/],
        [{ closePrice: -1 }, /closePrice -1/],
        [{ interval: "5m" as Interval }, /interval "5m"/],
        [{ vtSymbol: "x.SHFE" }, /vtSymbol "x.SHFE"/],
        [{ exchange: "NOPE" as "SHFE" }, /exchange "NOPE"/],
        [{ datetime: 1.5 }, /datetime 1.5/],
      ];
      for (const [change, why] of cases) {
        const batch = bars(s, 5);
        batch[3] = { ...batch[3], ...change };
        await assert.rejects(db.saveBars(batch), (e: unknown) => isTickwireError(e, "TW_DATA_INVALID_BAR") && /Bar 3 /.test(e.message) && why.test(e.message));
      }
      assert.deepEqual(await db.loadBars({ vtSymbol: `${s}.SHFE`, interval: "1m" }), []);
      assert.equal(
        (await db.barOverview()).find((o) => o.symbol === s),
        undefined,
      );
    });

    test("a batch with one invalid tick is refused with TW_DATA_INVALID_TICK and nothing of it is saved", async () => {
      const s = sym();
      const batch = ticks(s, 4);
      batch[2] = { ...batch[2], askPrice2: Infinity };
      await assert.rejects(db.saveTicks(batch), (e: unknown) => isTickwireError(e, "TW_DATA_INVALID_TICK") && /Tick 2 .*askPrice2/.test(e.message));
      assert.deepEqual(await db.loadTicks({ vtSymbol: `${s}.SHFE` }), []);
    });

    test("a query with a bad vtSymbol, interval or time is refused with TW_DATA_INVALID_QUERY", async () => {
      const bad = (e: unknown) => isTickwireError(e, "TW_DATA_INVALID_QUERY");
      await assert.rejects(db.loadBars({ vtSymbol: "nodot", interval: "1m" }), bad);
      await assert.rejects(db.loadBars({ vtSymbol: "a.SHFE", interval: "7m" as Interval }), bad);
      await assert.rejects(db.loadBars({ vtSymbol: "a.SHFE", interval: "1m", start: "yesterday" }), bad);
      await assert.rejects(db.loadTicks({ vtSymbol: "a.NOPE" }), bad);
    });

    test("what one connection saves another one reads", async () => {
      const s = sym();
      const other = await target.open();
      try {
        await other.saveBars(bars(s, 4));
        assert.deepEqual(await db.loadBars({ vtSymbol: `${s}.SHFE`, interval: "1m" }), bars(s, 4));
        assert.equal((await db.barOverview()).find((o) => o.symbol === s)?.count, 4);
      } finally {
        await other.close();
      }
    });

    test("a closed store refuses calls with TW_DATA_CLOSED", async () => {
      const other = await target.open();
      await other.close();
      await other.close();
      await assert.rejects(other.loadBars({ vtSymbol: "a.SHFE", interval: "1m" }), (e: unknown) => isTickwireError(e, "TW_DATA_CLOSED"));
      await assert.rejects(other.saveBars([]), (e: unknown) => isTickwireError(e, "TW_DATA_CLOSED"));
    });
  });
}
