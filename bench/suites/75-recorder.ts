/**
 * The data recorder into SQLite: ticks pushed through the EventEngine into a DataRecorder that
 * records them (and makes 1-minute bars of them), written in batches by the tickwire/data store
 * on its own thread (WorkerStore, as `tickwire run --record` does), next to a raw better-sqlite3
 * prepared INSERT of the same rows into the same table, one transaction per batch of the same
 * size (the floor: no event engine, no queue, no validation, no overview). Then the longest
 * stall of the event loop while recording, store on a thread vs in the main thread, and the
 * issue's target: pushed at a steady 100,000 ticks/s, does the buffer stay bounded?
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { DataRecorderApp, WorkerStore, type RecorderStore } from "../../src/apps/recorder/index.js";
import { openDatabase } from "../../src/data/index.js";
import { Event } from "../../src/event/index.js";
import { EVENT_TICK, Exchange, MainEngine, createTick, type TickData } from "../../src/trader/index.js";
import { best, type BenchRow, type BenchSuite } from "../harness.js";

const BATCH = 5000;
const INSTRUMENTS = 10;

function makeTicks(n: number, from = 0): TickData[] {
  const out = new Array<TickData>(n);
  for (let k = 0; k < n; k++) {
    const i = from + k;
    const p = 3500 + (i % 50);
    out[k] = createTick({
      gatewayName: "FEED",
      symbol: `S${i % INSTRUMENTS}`,
      exchange: Exchange.SIM,
      datetime: 1_700_000_000_000 + Math.floor(i / INSTRUMENTS) * 10,
      lastPrice: p,
      volume: i,
      turnover: i * p,
      openInterest: 1000,
      bidPrice1: p - 1,
      askPrice1: p + 1,
      bidVolume1: 10,
      askVolume1: 12,
    });
  }
  return out;
}

async function withDir<R>(fn: (dir: string) => Promise<R>): Promise<R> {
  const dir = mkdtempSync(join(tmpdir(), "tickwire-bench-recorder-"));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const turn = () => new Promise<void>((r) => setImmediate(r));

async function recorderSetup(dir: string, onThread = true) {
  const url = `sqlite:${join(dir, "rec.sqlite")}`;
  const db: RecorderStore & { close(): Promise<void> } = onThread ? await WorkerStore.open(url) : await openDatabase(url);
  const main = new MainEngine(undefined, { log: false, eventEngine: { interval: null } });
  const recorder = main.addApp(DataRecorderApp);
  recorder.start(db, { batchRows: BATCH, batchMs: 100 });
  for (let s = 0; s < INSTRUMENTS; s++) {
    recorder.addTickRecording(`S${s}.SIM`);
    recorder.addBarRecording(`S${s}.SIM`);
  }
  const close = async () => {
    await main.close();
    await db.close();
  };
  return { main, recorder, close };
}

/** Ticks/s from the first put until the recorder has written every tick, and the longest event-loop stall (ms). */
async function recorderRun(ticks: TickData[], onThread = true): Promise<{ rate: number; stallMs: number }> {
  return withDir(async (dir) => {
    const { main, recorder, close } = await recorderSetup(dir, onThread);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t0 = performance.now();
    for (let i = 0; i < ticks.length; i += 2000) {
      const end = Math.min(ticks.length, i + 2000);
      for (let j = i; j < end; j++) main.eventEngine.put(new Event(EVENT_TICK, ticks[j]));
      await turn();
    }
    await main.eventEngine.waitForIdle();
    await recorder.flush();
    const ms = performance.now() - t0;
    delay.disable();
    if (recorder.stats().ticksWritten !== ticks.length) throw new Error(`recorder wrote ${recorder.stats().ticksWritten} of ${ticks.length}`);
    await close();
    return { rate: ticks.length / (ms / 1000), stallMs: delay.max / 1e6 };
  });
}

/** The floor: the same rows by a prepared INSERT into the store's own tick table, a transaction per batch. */
async function rawRun(ticks: TickData[]): Promise<number> {
  return withDir(async (dir) => {
    const file = join(dir, "raw.sqlite");
    await (await openDatabase(`sqlite:${file}`)).close(); // the same schema, made by the store
    const db = new BetterSqlite3(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const addSeries = db.prepare("INSERT INTO tick_series (symbol, exchange) VALUES (?, ?) RETURNING id").pluck();
    const ids = new Map<string, number>();
    for (let s = 0; s < INSTRUMENTS; s++) ids.set(`S${s}.SIM`, addSeries.get(`S${s}`, "SIM") as number);
    const cols = (db.prepare("PRAGMA table_info(ticks)").all() as Array<{ name: string }>).map((c) => c.name).filter((c) => c !== "series");
    const insert = db.prepare(`INSERT INTO ticks (series, ${cols.join(", ")}) VALUES (?, ${cols.map(() => "?").join(", ")})`);
    const save = db.transaction((rows: TickData[]) => {
      for (const t of rows) {
        insert.run(
          ids.get(t.vtSymbol),
          t.datetime,
          t.gatewayName,
          t.name,
          t.volume,
          t.turnover,
          t.openInterest,
          t.lastPrice,
          t.lastVolume,
          t.limitUp,
          t.limitDown,
          t.openPrice,
          t.highPrice,
          t.lowPrice,
          t.preClose,
          t.bidPrice1,
          t.bidPrice2,
          t.bidPrice3,
          t.bidPrice4,
          t.bidPrice5,
          t.askPrice1,
          t.askPrice2,
          t.askPrice3,
          t.askPrice4,
          t.askPrice5,
          t.bidVolume1,
          t.bidVolume2,
          t.bidVolume3,
          t.bidVolume4,
          t.bidVolume5,
          t.askVolume1,
          t.askVolume2,
          t.askVolume3,
          t.askVolume4,
          t.askVolume5,
        );
      }
    });
    if (cols.length !== 34) throw new Error(`the tick table has ${cols.length} data columns; update the raw peer`);
    const t0 = performance.now();
    for (let i = 0; i < ticks.length; i += BATCH) save(ticks.slice(i, i + BATCH));
    const ms = performance.now() - t0;
    db.close();
    return ticks.length / (ms / 1000);
  });
}

/**
 * Pushes `rate` ticks/s for `seconds` (1,000 ticks every 10 ms of wall time, catching up when
 * late); returns the rate reached and the buffer at the end and at its largest.
 */
async function paced(rate: number, seconds: number): Promise<{ rate: number; endBuffered: number; maxBuffered: number }> {
  return withDir(async (dir) => {
    const { main, recorder, close } = await recorderSetup(dir);
    const total = rate * seconds;
    const ticks = makeTicks(total);
    let sent = 0;
    let maxBuffered = 0;
    const t0 = performance.now();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1000);
      for (; sent < due; sent++) main.eventEngine.put(new Event(EVENT_TICK, ticks[sent]));
      await new Promise((r) => setTimeout(r, 10));
      maxBuffered = Math.max(maxBuffered, recorder.stats().buffered);
    }
    const reached = sent / ((performance.now() - t0) / 1000);
    await main.eventEngine.waitForIdle();
    const endBuffered = recorder.stats().buffered;
    await close();
    return { rate: reached, endBuffered, maxBuffered };
  });
}

const suite: BenchSuite = async ({ quick }) => {
  const n = quick ? 50_000 : 300_000;
  const ticks = makeTicks(n);
  const runs = quick ? 1 : 3;
  const stalls = { thread: Infinity, main: Infinity };
  const ours = await best(runs, async () => {
    const r = await recorderRun(ticks, true);
    stalls.thread = Math.min(stalls.thread, r.stallMs);
    return r.rate;
  });
  const inThread = await best(runs, async () => {
    const r = await recorderRun(ticks, false);
    stalls.main = Math.min(stalls.main, r.stallMs);
    return r.rate;
  });
  const raw = await best(runs, () => rawRun(ticks));
  const rows: BenchRow[] = [
    {
      suite: "recorder",
      name: `ticks recorded into SQLite (+ 1-min bars, ${INSTRUMENTS} instruments, ${n / 1000}k ticks, via EventEngine)`,
      value: ours,
      unit: "ticks/s",
      peer: "raw better-sqlite3 prepared INSERT, same rows and batches",
      peerValue: raw,
      ratio: ours / raw,
      target: ">= 100k ticks/s",
      met: ours >= 100_000,
    },
    {
      suite: "recorder",
      name: "the same, store in the main thread (DataRecorder on openDatabase directly)",
      value: inThread,
      unit: "ticks/s",
      peer: "raw better-sqlite3 prepared INSERT, same rows and batches",
      peerValue: raw,
      ratio: inThread / raw,
    },
    {
      suite: "recorder",
      name: `longest event-loop stall while recording, store on its thread (batches of ${BATCH})`,
      value: stalls.thread,
      unit: "ms",
      peer: "store in the main thread",
      peerValue: stalls.main,
      ratio: stalls.main / stalls.thread,
    },
  ];
  const p = await paced(100_000, quick ? 1 : 3);
  rows.push({
    suite: "recorder",
    name: `rows buffered at the end of ${quick ? 1 : 3} s at 100k ticks/s (reached ${Math.round(p.rate / 1000)}k/s; largest ${p.maxBuffered})`,
    value: p.endBuffered,
    unit: "rows",
    target: `<= 2 batches (${2 * BATCH}), rate reached`,
    met: p.endBuffered <= 2 * BATCH && p.maxBuffered <= 4 * BATCH && p.rate >= 95_000,
  });
  return rows;
};

export default suite;
