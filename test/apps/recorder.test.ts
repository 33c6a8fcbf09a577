import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { Worker } from "node:worker_threads";
import { join } from "node:path";
import { DataRecorderApp, EVENT_RECORDER, WorkerStore, type RecorderOptions, type RecorderStatus, type RecorderStore } from "../../src/apps/recorder/index.js";
import { openDatabase, type Database } from "../../src/data/index.js";
import { Event } from "../../src/event/index.js";
import { BarGenerator, EVENT_TICK, Exchange, Interval, MainEngine, createTick, type BarData, type TickData } from "../../src/trader/index.js";
import { admin, scratchDatabase, skipPg } from "../data/pg.js";
import { until } from "../support/wait.js";

const T0 = Date.UTC(2024, 5, 3, 9, 0, 0);
const GUARD = { timeout: 60_000 };

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});
// Every assert.ok here has a message: without one, node's assert re-reads the transpiled source to
// quote the expression, and on this file that took minutes of CPU when an assertion failed.

async function sqliteStore(): Promise<Database> {
  const dir = await mkdtemp(join(tmpdir(), "tickwire-recorder-"));
  const db = await openDatabase(`sqlite:${join(dir, "data.sqlite")}`);
  cleanups.push(
    () => rm(dir, { recursive: true, force: true }),
    () => db.close(),
  );
  return db;
}

function ticks(n: number, vtSymbolIndex = 0, from = 0): TickData[] {
  const [symbol, exchange] = vtSymbolIndex === 0 ? ["rb2410", Exchange.SHFE] : ["BTCUSDT", Exchange.BINANCE];
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return createTick({
      gatewayName: "SIM",
      symbol,
      exchange,
      datetime: T0 + i * 250,
      lastPrice: 3500 + (i % 17),
      volume: 10 * i,
      turnover: 35_000 * i,
      openInterest: 100 + i,
    });
  });
}

/** A MainEngine (no timer unless given, no console log) with a recorder started on `store`. */
function recording(store: RecorderStore, options: RecorderOptions = {}, timerSeconds: number | null = null) {
  const main = new MainEngine(undefined, { log: { console: false }, eventEngine: { interval: timerSeconds } });
  cleanups.push(() => main.close());
  const recorder = main.addApp(DataRecorderApp);
  recorder.start(store, options);
  const statuses: RecorderStatus[] = [];
  main.eventEngine.registerGeneral((e) => {
    if ((e.type as string) === EVENT_RECORDER) statuses.push(e.data as unknown as RecorderStatus);
  });
  const push = async (list: TickData[]) => {
    for (const t of list) main.eventEngine.put(new Event(EVENT_TICK, t));
    await main.eventEngine.waitForIdle();
  };
  return { main, recorder, statuses, push };
}

/** A store that counts the batches it is given and hands them to a real one. */
function counting(store: Database): RecorderStore & { tickBatches: number[] } {
  const tickBatches: number[] = [];
  return {
    url: store.url,
    tickBatches,
    saveBars: (bars) => store.saveBars(bars),
    saveTicks: (list) => {
      tickBatches.push(list.length);
      return store.saveTicks(list);
    },
  };
}

describe("DataRecorder on SQLite", () => {
  test("ticks are written in batches of at most batchRows, each one save (one transaction)", GUARD, async () => {
    const db = await sqliteStore();
    const store = counting(db);
    const { recorder, push } = recording(store, { batchRows: 1000, batchMs: 60_000 });
    recorder.addTickRecording("rb2410.SHFE");
    const sent = ticks(2500);
    await push(sent);
    await recorder.flush();
    assert.ok(
      store.tickBatches.every((n) => n <= 1000),
      `batches ${store.tickBatches.join(",")}`,
    );
    assert.equal(
      store.tickBatches.reduce((a, b) => a + b, 0),
      2500,
    );
    assert.deepEqual(await db.loadTicks({ vtSymbol: "rb2410.SHFE" }), sent);
  });

  test("fewer rows than batchRows are written by the batch timer, with no flush or close", GUARD, async () => {
    const db = await sqliteStore();
    const { recorder, push } = recording(db, { batchMs: 50 });
    recorder.addTickRecording("rb2410.SHFE");
    await push(ticks(3));
    await until(async () => (await db.loadTicks({ vtSymbol: "rb2410.SHFE" })).length === 3);
    assert.equal(recorder.stats().ticksWritten, 3);
  });

  test("close() writes the 1-minute bars in progress and every queued tick", GUARD, async () => {
    const db = await sqliteStore();
    const { recorder, push } = recording(db, { batchMs: 60_000 });
    recorder.addBarRecording("rb2410.SHFE");
    recorder.addBarRecording("BTCUSDT.BINANCE");
    recorder.addTickRecording("BTCUSDT.BINANCE");
    const rb = ticks(300); // 75 s: one finished minute and one in progress
    const btc = ticks(10, 1);
    await push([...rb, ...btc]);
    await recorder.close();
    const bars = await db.loadBars({ vtSymbol: "rb2410.SHFE", interval: Interval.MINUTE });
    assert.deepEqual(
      bars.map((b) => [b.datetime, b.openPrice, b.closePrice, b.volume]),
      [
        [T0, rb[0].lastPrice, rb[239].lastPrice, 10 * 239],
        [T0 + 60_000, rb[240].lastPrice, rb[299].lastPrice, 10 * 60],
      ],
    );
    assert.equal((await db.loadBars({ vtSymbol: "BTCUSDT.BINANCE", interval: Interval.MINUTE })).length, 1);
    assert.deepEqual(await db.loadTicks({ vtSymbol: "BTCUSDT.BINANCE" }), btc);
    assert.deepEqual(await db.loadTicks({ vtSymbol: "rb2410.SHFE" }), [], "ticks of rb2410 were not asked for");
  });

  test("the engine's timer writes a finished minute bar that no next tick closes (the last bar of a session)", GUARD, async () => {
    const db = await sqliteStore();
    const { recorder, push } = recording(db, { batchMs: 20, graceMs: 0 }, 0.05);
    recorder.addBarRecording("rb2410.SHFE");
    const minute = ticks(240); // 09:00:00.000 to 09:00:59.750, then nothing
    await push(minute);
    await until(async () => (await db.loadBars({ vtSymbol: "rb2410.SHFE", interval: Interval.MINUTE })).length === 1);
    const [bar] = await db.loadBars({ vtSymbol: "rb2410.SHFE", interval: Interval.MINUTE });
    assert.deepEqual([bar.datetime, bar.openPrice, bar.closePrice, bar.volume], [T0, minute[0].lastPrice, minute[239].lastPrice, 10 * 239]);
  });

  test("rows queued while a batch is being written never push out that batch's older rows", GUARD, async () => {
    const db = await sqliteStore();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    // A store whose first save waits: the batch stays in flight while newer rows arrive.
    const slow: RecorderStore = {
      url: db.url,
      saveBars: (b) => db.saveBars(b),
      saveTicks: async (list) => {
        await gate;
        return db.saveTicks(list);
      },
    };
    const { recorder, push } = recording(slow, { batchMs: 10, maxBufferRows: 10 });
    recorder.addTickRecording("rb2410.SHFE");
    const sent = ticks(20);
    await push(sent.slice(0, 10));
    await until(() => recorder.stats().buffered === 10 && recorder.stats().ticksWritten === 0);
    await new Promise((r) => setTimeout(r, 30)); // the batch timer has fired: the 10 are in flight
    await push(sent.slice(10));
    release();
    await recorder.close();
    assert.equal(recorder.stats().dropped, 0);
    assert.deepEqual(await db.loadTicks({ vtSymbol: "rb2410.SHFE" }), sent);
  });

  test("a tick the store refuses is dropped and counted, and the rest of its batch is saved", GUARD, async () => {
    const db = await sqliteStore();
    const { recorder, push } = recording(db, { batchMs: 60_000 });
    recorder.addTickRecording("rb2410.SHFE");
    const sent = ticks(50);
    sent[17] = { ...sent[17], askPrice1: Number.NaN };
    await push(sent);
    await recorder.flush();
    assert.equal(recorder.stats().rejected, 1);
    assert.deepEqual(await db.loadTicks({ vtSymbol: "rb2410.SHFE" }), [...sent.slice(0, 17), ...sent.slice(18)]);
  });

  test("a vtSymbol without an exchange is refused with TW_RECORDER_BAD_SYMBOL", async () => {
    const db = await sqliteStore();
    const { recorder } = recording(db);
    assert.throws(
      () => recorder.addBarRecording("rb2410"),
      (e: Error & { code?: string }) => e.code === "TW_RECORDER_BAD_SYMBOL",
    );
  });
});

describe("DataRecorder on a WorkerStore (the store on its own thread)", () => {
  test("ticks and bars are saved by the thread field for field, and a row it refuses comes back as the store's typed error, dropped alone", GUARD, async () => {
    const dir = await mkdtemp(join(tmpdir(), "tickwire-recorder-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const url = `sqlite:${join(dir, "data.sqlite")}`;
    const store = await WorkerStore.open(url);
    cleanups.push(() => store.close());
    const { recorder, push } = recording(store, { batchMs: 60_000 });
    recorder.addTickRecording("rb2410.SHFE");
    recorder.addBarRecording("rb2410.SHFE");
    const sent = ticks(300).map((t, i) => ({ ...t, bidPrice1: t.lastPrice - 0.5, askVolume3: i + 0.25, name: i % 2 ? "螺纹钢" : "" }));
    sent[5] = { ...sent[5], askPrice1: -1 };
    await push(sent);
    await recorder.close();
    await store.close();
    assert.deepEqual([recorder.stats().ticksWritten, recorder.stats().rejected, recorder.stats().barsWritten], [299, 1, 2]);
    const db = await openDatabase(url);
    cleanups.push(() => db.close());
    assert.deepEqual(await db.loadTicks({ vtSymbol: "rb2410.SHFE" }), [...sent.slice(0, 5), ...sent.slice(6)]);
    const expected: BarData[] = [];
    const bg = new BarGenerator((b) => expected.push(b));
    for (const t of sent) bg.updateTick(t);
    bg.generate();
    assert.deepEqual(await db.loadBars({ vtSymbol: "rb2410.SHFE", interval: Interval.MINUTE }), expected);
  });

  test("close() while the thread is being started again waits for it and ends it, leaving no live thread", GUARD, async () => {
    const dir = await mkdtemp(join(tmpdir(), "tickwire-recorder-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = await WorkerStore.open(`sqlite:${join(dir, "data.sqlite")}`);
    const inner = store as unknown as { worker?: Worker };
    const first = inner.worker!;
    const exited = new Promise((r) => first.once("exit", r));
    await first.terminate();
    await exited;
    const saving = store.saveTicks(ticks(3)).catch((e: Error) => e);
    await store.close();
    await saving;
    assert.equal(inner.worker, undefined, "a thread is still alive after close()");
  });

  test("a thread that ends fails only the saves sent to it, not those sent to the thread started after it", GUARD, async () => {
    const dir = await mkdtemp(join(tmpdir(), "tickwire-recorder-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = await WorkerStore.open(`sqlite:${join(dir, "data.sqlite")}`);
    cleanups.push(() => store.close());
    const inner = store as unknown as { worker?: Worker };
    const first = inner.worker!;
    const exited = new Promise((r) => first.once("exit", r));
    await first.terminate();
    await exited;
    assert.equal(await store.saveTicks(ticks(2)), 2);
    assert.notEqual(inner.worker, first, "the next save did not start a new thread");
    const saving = store.saveTicks(ticks(3, 0, 10));
    // A late exit of the old thread (its "error" came first and a save already started the next).
    first.emit("exit", 1);
    assert.equal(await saving, 3);
  });

  test("opening a bad URL rejects with the store's own error code", async () => {
    await assert.rejects(WorkerStore.open("mysql://nowhere/x"), (e: Error & { code?: string }) => e.code === "TW_DATA_BAD_URL");
  });
});

describe("DataRecorder on PostgreSQL, through an outage", { skip: skipPg }, () => {
  // The shared server is never stopped (another helper's tests use it): the outage is real but
  // local to a database of this run, which stops accepting connections and loses the ones it had.
  async function outage(name: string): Promise<void> {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
  }
  async function restore(name: string): Promise<void> {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
  }

  async function pgStore() {
    const scratch = await scratchDatabase("recorder");
    cleanups.push(() => scratch.drop());
    const db = await openDatabase(scratch.url);
    cleanups.push(() => db.close());
    return { db, name: scratch.name };
  }

  test("rows pushed while the database is unavailable are all written once it is back, with outage and resumed reported", GUARD, async () => {
    const { db, name } = await pgStore();
    const { recorder, push, statuses } = recording(db, { batchMs: 20, retryMs: 50 });
    recorder.addTickRecording("rb2410.SHFE");
    recorder.addBarRecording("rb2410.SHFE");
    const before = ticks(100);
    await push(before);
    await recorder.flush();
    await outage(name);
    const during = ticks(400, 0, 100);
    await push(during);
    await until(() => statuses.some((s) => s.state === "outage"));
    assert.ok(recorder.stats().buffered > 0, "rows are held during the outage");
    await restore(name);
    await until(() => statuses.some((s) => s.state === "resumed"));
    await recorder.close();
    const stored = await db.loadTicks({ vtSymbol: "rb2410.SHFE" });
    assert.deepEqual(stored, [...before, ...during]);
    assert.deepEqual(
      (await db.loadBars({ vtSymbol: "rb2410.SHFE", interval: Interval.MINUTE })).map((b) => b.datetime),
      [T0, T0 + 60_000, T0 + 120_000],
    );
    assert.equal(recorder.stats().dropped, 0);
    assert.match(statuses.find((s) => s.state === "outage")!.msg, new RegExp(`writing to ${db.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} failed`));
  });

  test("past its bound the oldest rows are dropped and counted, and the newest are written once the database is back", GUARD, async () => {
    const { db, name } = await pgStore();
    // No retry while the rows arrive (retryMs a minute): flush() is the retry, after the restore.
    const { main, recorder, push, statuses } = recording(db, { batchMs: 20, retryMs: 60_000, maxBufferRows: 100 });
    recorder.addTickRecording("rb2410.SHFE");
    await outage(name);
    const sent = ticks(300);
    await push(sent.slice(0, 1));
    await until(() => statuses.some((s) => s.state === "outage"));
    await push(sent.slice(1));
    assert.equal(recorder.stats().buffered, 100);
    assert.equal(recorder.stats().dropped, 200);
    assert.ok(
      statuses.some((s) => s.state === "dropping"),
      "a dropping event was put",
    );
    await restore(name);
    await recorder.flush();
    await main.eventEngine.waitForIdle();
    assert.ok(
      statuses.some((s) => s.state === "resumed"),
      "a resumed event was put",
    );
    await recorder.close();
    assert.deepEqual(await db.loadTicks({ vtSymbol: "rb2410.SHFE" }), sent.slice(200));
  });
});
