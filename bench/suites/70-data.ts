/**
 * The market data store: saving and loading 1M bars on each backend next to the raw driver doing
 * the same into an identical table in the same run (SQLite: one prepared INSERT in one
 * transaction, a plain SELECT; PostgreSQL: a multi-row INSERT loop and a raw COPY, a plain
 * SELECT), and how much memory streaming a long history holds. Values are medians of the runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { openDatabase, type Database } from "../../src/data/index.js";
import { TICK_COLUMNS, TICK_FIELDS } from "../../src/data/rows.js";
import { createBar, createTick, Interval, type BarData, type TickData } from "../../src/trader/index.js";
import type { BenchRow, BenchSuite } from "../harness.js";

const PG_ADMIN = process.env.TICKWIRE_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const T0 = Date.UTC(2020, 0, 1);

function makeBars(n: number, symbol = "rb2410"): BarData[] {
  const out = new Array<BarData>(n);
  for (let i = 0; i < n; i++) {
    const p = 3500 + (i % 97) * 0.5;
    out[i] = createBar({
      gatewayName: "BENCH",
      symbol,
      exchange: "SHFE",
      datetime: T0 + i * 60_000,
      interval: Interval.MINUTE,
      openPrice: p,
      highPrice: p + 2.5,
      lowPrice: p - 1.5,
      closePrice: p + 0.5,
      volume: 100 + (i % 1000),
      turnover: (100 + (i % 1000)) * p * 10,
      openInterest: 1_500_000 + (i % 5000),
    });
  }
  return out;
}

const RAW_SQLITE_DDL = `CREATE TABLE raw_bars (series INTEGER NOT NULL, datetime INTEGER NOT NULL, gateway_name TEXT NOT NULL,
  volume REAL NOT NULL, turnover REAL NOT NULL, open_interest REAL NOT NULL, open_price REAL NOT NULL, high_price REAL NOT NULL,
  low_price REAL NOT NULL, close_price REAL NOT NULL, PRIMARY KEY (series, datetime)) WITHOUT ROWID`;
const RAW_PG_DDL = `CREATE TABLE peer.raw_bars (series integer NOT NULL, datetime bigint NOT NULL, gateway_name text NOT NULL,
  volume double precision NOT NULL, turnover double precision NOT NULL, open_interest double precision NOT NULL, open_price double precision NOT NULL,
  high_price double precision NOT NULL, low_price double precision NOT NULL, close_price double precision NOT NULL, PRIMARY KEY (series, datetime))`;
const COLS = "series, datetime, gateway_name, volume, turnover, open_interest, open_price, high_price, low_price, close_price";

const rate = (n: number, t0: number) => n / ((performance.now() - t0) / 1000);

/** The median of runs: on a shared machine one lucky or unlucky run says little. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function sqliteRows(bars: BarData[], runs: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "tw-bench-data-"));
  try {
    const oursSave: number[] = [],
      rawSave: number[] = [],
      oursLoad: number[] = [],
      rawLoad: number[] = [];
    const rawSide = (r: number) => {
      // Raw: the same table, pragmas and transaction, no validation, no overview, no objects.
      const raw = new BetterSqlite3(join(dir, `raw${r}.sqlite`));
      raw.pragma("journal_mode = WAL");
      raw.pragma("synchronous = NORMAL");
      raw.exec(RAW_SQLITE_DDL);
      const ins = raw.prepare(`INSERT INTO raw_bars (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      let t0 = performance.now();
      raw.transaction(() => {
        for (const b of bars) ins.run(1, b.datetime, b.gatewayName, b.volume, b.turnover, b.openInterest, b.openPrice, b.highPrice, b.lowPrice, b.closePrice);
      })();
      rawSave.push(rate(bars.length, t0));
      t0 = performance.now();
      const rows = raw.prepare(`SELECT ${COLS} FROM raw_bars WHERE series = ? ORDER BY datetime`).all(1);
      rawLoad.push(rate(rows.length, t0));
      raw.close();
    };
    const oursSide = async (r: number) => {
      const db = await openDatabase(`sqlite:${join(dir, `ours${r}.sqlite`)}`);
      let t0 = performance.now();
      await db.saveBars(bars);
      oursSave.push(rate(bars.length, t0));
      t0 = performance.now();
      const loaded = await db.loadBars({ vtSymbol: "rb2410.SHFE", interval: "1m" });
      oursLoad.push(rate(loaded.length, t0));
      if (loaded.length !== bars.length) throw new Error(`loaded ${loaded.length} of ${bars.length}`);
      await db.close();
    };
    for (let r = 0; r < runs; r++) {
      // Taking turns at who goes first, so neither always runs on the warmer (or busier) machine.
      if (r % 2 === 0) {
        rawSide(r);
        await oursSide(r);
      } else {
        await oursSide(r);
        rawSide(r);
      }
    }
    const db = await openDatabase(`sqlite:${join(dir, "ours0.sqlite")}`);
    const stream = await streamMemory(db, bars.length);
    await db.close();
    return [
      row("SQLite saveBars (1 transaction)", median(oursSave), "raw better-sqlite3 prepared INSERT, 1 transaction", median(rawSave), "≥ 0.8x", 0.8),
      row("SQLite loadBars (BarData[])", median(oursLoad), "raw better-sqlite3 SELECT .all()", median(rawLoad), "≥ 0.8x", 0.8),
      ...stream.map((s) => ({ ...s, name: "SQLite " + s.name })),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A collector to call: what a stream holds is what survives a collection, not the garbage between them.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** Peak live heap growth (after a collection, holding the current batch) while streaming every bar of a series. */
async function streamMemory(db: Database, expected: number): Promise<BenchRow[]> {
  collect();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  let n = 0;
  let batches = 0;
  for await (const batch of db.streamBars({ vtSymbol: "rb2410.SHFE", interval: "1m" })) {
    n += batch.length;
    if (++batches % 10 === 1) {
      collect();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
  }
  if (n !== expected) throw new Error(`streamed ${n} of ${expected}`);
  return [
    {
      suite: "data",
      name: `streamBars ${n} bars: live heap held at once`,
      value: peak / 1e6,
      unit: "MB",
      target: "≤ ~50 MB (of 10M bars)",
      met: peak / 1e6 <= 50,
    },
  ];
}

function row(name: string, value: number, peer: string, peerValue: number, target?: string, min?: number): BenchRow {
  const ratio = value / peerValue;
  return { suite: "data", name, value, unit: "bars/s", peer, peerValue, ratio, target, met: min === undefined ? undefined : ratio >= min };
}

function copyLines(bars: BarData[]): Generator<string> {
  return (function* () {
    let chunk = "";
    let n = 0;
    for (const b of bars) {
      chunk += `1\t${b.datetime}\t${b.gatewayName}\t${b.volume}\t${b.turnover}\t${b.openInterest}\t${b.openPrice}\t${b.highPrice}\t${b.lowPrice}\t${b.closePrice}\n`;
      if (++n === 2000) {
        yield chunk;
        chunk = "";
        n = 0;
      }
    }
    if (chunk) yield chunk;
  })();
}

async function pgRows(bars: BarData[], insertBars: BarData[], runs: number): Promise<BenchRow[]> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  try {
    await admin.connect();
  } catch (err) {
    if (process.env.CI) throw err;
    process.stderr.write(`PostgreSQL not reachable at ${PG_ADMIN} (${(err as Error).message}): skipping its rows\n`);
    return [];
  }
  const name = `tw_bench_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN);
  url.pathname = "/" + name;
  const raw = new pg.Client({ connectionString: url.toString() });
  raw.on("error", () => undefined);
  try {
    const oursSave: number[] = [],
      rawCopy: number[] = [],
      rawInsert: number[] = [],
      oursLoad: number[] = [],
      rawLoad: number[] = [],
      oursUpsert: number[] = [];
    await raw.connect();
    // In a schema of its own: the store refuses a database whose own schema holds foreign tables.
    await raw.query("CREATE SCHEMA peer");
    const rawCopySide = async () => {
      await raw.query("DROP TABLE IF EXISTS peer.raw_bars");
      await raw.query(RAW_PG_DDL);
      let t0 = performance.now();
      await raw.query("BEGIN");
      await pipeline(Readable.from(copyLines(bars)), raw.query(copyFrom(`COPY peer.raw_bars (${COLS}) FROM STDIN`)));
      await raw.query("COMMIT");
      rawCopy.push(rate(bars.length, t0));
      t0 = performance.now();
      const res = await raw.query({ text: `SELECT ${COLS} FROM peer.raw_bars WHERE series = $1 ORDER BY datetime`, values: [1] });
      rawLoad.push(rate(res.rows.length, t0));
    };
    const oursSide = async () => {
      const db = await openDatabase(url.toString());
      // Empty tables, as the raw side has: a delete would leave a million dead rows in the way.
      await raw.query("TRUNCATE bars, bar_series");
      let t0 = performance.now();
      await db.saveBars(bars);
      oursSave.push(rate(bars.length, t0));
      t0 = performance.now();
      const loaded = await db.loadBars({ vtSymbol: "rb2410.SHFE", interval: "1m" });
      oursLoad.push(rate(loaded.length, t0));
      if (loaded.length !== bars.length) throw new Error(`loaded ${loaded.length} of ${bars.length}`);
      // Saving over stored bars takes the temp table + INSERT … ON CONFLICT path.
      t0 = performance.now();
      await db.saveBars(insertBars);
      oursUpsert.push(rate(insertBars.length, t0));
      await db.close();
    };
    for (let r = 0; r < runs; r++) {
      if (r % 2 === 0) {
        await rawCopySide();
        await oursSide();
      } else {
        await oursSide();
        await rawCopySide();
      }
      await raw.query("DROP TABLE peer.raw_bars");
      await raw.query(RAW_PG_DDL);
      // vnpy's way: multi-row INSERT … ON CONFLICT statements of 1,000 rows, in one transaction.
      const t0 = performance.now();
      await raw.query("BEGIN");
      for (let i = 0; i < insertBars.length; i += 1000) {
        const part = insertBars.slice(i, i + 1000);
        const values: unknown[] = [];
        const tuples = part.map((b, j) => {
          values.push(1, b.datetime, b.gatewayName, b.volume, b.turnover, b.openInterest, b.openPrice, b.highPrice, b.lowPrice, b.closePrice);
          return `(${Array.from({ length: 10 }, (_, k) => `$${j * 10 + k + 1}`).join(",")})`;
        });
        await raw.query(
          `INSERT INTO peer.raw_bars (${COLS}) VALUES ${tuples.join(",")} ON CONFLICT (series, datetime) DO UPDATE SET close_price = EXCLUDED.close_price`,
          values,
        );
      }
      await raw.query("COMMIT");
      rawInsert.push(rate(insertBars.length, t0));
    }
    const db = await openDatabase(url.toString());
    const stream = await streamMemory(db, bars.length);
    await db.close();
    return [
      row("PostgreSQL saveBars (COPY)", median(oursSave), "multi-row INSERT loop (1,000 rows a statement)", median(rawInsert), "≥ 3x", 3),
      row("PostgreSQL saveBars (COPY)", median(oursSave), "raw pg-copy-streams COPY", median(rawCopy), "≥ 0.8x", 0.8),
      row("PostgreSQL saveBars over stored bars (upsert)", median(oursUpsert), "multi-row INSERT loop (1,000 rows a statement)", median(rawInsert)),
      row("PostgreSQL loadBars (BarData[])", median(oursLoad), "raw pg SELECT", median(rawLoad), "≥ 0.8x", 0.8),
      ...stream.map((s) => ({ ...s, name: "PostgreSQL " + s.name })),
    ];
  } finally {
    await raw.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** Ticks as a recorder saves them: batches of 1,000, five instruments interleaved. */
async function sqliteTickRows(n: number, runs: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "tw-bench-ticks-"));
  const ticks = Array.from({ length: n }, (_, i) =>
    createTick({
      gatewayName: "SIM",
      symbol: `s${i % 5}`,
      exchange: "SHFE",
      datetime: T0 + i * 10,
      lastPrice: 3500 + (i % 7) * 0.5,
      bidPrice1: 3500,
      askPrice1: 3501,
      bidVolume1: 5,
      askVolume1: 7,
      volume: i,
      turnover: i * 35000.5,
    }),
  );
  try {
    const ours: number[] = [],
      raw: number[] = [];
    for (let r = 0; r < runs; r++) {
      const db = await openDatabase(`sqlite:${join(dir, `ours${r}.sqlite`)}`);
      let t0 = performance.now();
      for (let i = 0; i < n; i += 1000) await db.saveTicks(ticks.slice(i, i + 1000));
      ours.push(rate(n, t0));
      await db.close();

      const rawDb = new BetterSqlite3(join(dir, `raw${r}.sqlite`));
      rawDb.pragma("journal_mode = WAL");
      rawDb.pragma("synchronous = NORMAL");
      const cols = TICK_COLUMNS.map((c, i) => `${c} ${i === 0 ? "INTEGER" : i < 3 ? "TEXT" : "REAL"} NOT NULL`).join(", ");
      rawDb.exec(`CREATE TABLE raw_ticks (series INTEGER NOT NULL, ${cols}, PRIMARY KEY (series, datetime)) WITHOUT ROWID`);
      const ins = rawDb.prepare(`INSERT INTO raw_ticks VALUES (${["?", ...TICK_COLUMNS.map(() => "?")].join(", ")})`);
      const batch = rawDb.transaction((part: TickData[]) => {
        for (const t of part) ins.run(Number(t.symbol.slice(1)), ...TICK_FIELDS.map((f) => t[f]));
      });
      t0 = performance.now();
      for (let i = 0; i < n; i += 1000) batch(ticks.slice(i, i + 1000));
      raw.push(rate(n, t0));
      rawDb.close();
    }
    return [
      {
        ...row("SQLite saveTicks (batches of 1,000)", median(ours), "raw better-sqlite3 prepared INSERT, 1 transaction a batch", median(raw)),
        unit: "ticks/s",
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const suite: BenchSuite = async ({ quick }) => {
  const n = quick ? 200_000 : 1_000_000;
  const runs = quick ? 1 : 3;
  const bars = makeBars(n);
  const rows = await sqliteRows(bars, runs);
  rows.push(...(await sqliteTickRows(quick ? 50_000 : 200_000, runs)));
  rows.push(...(await pgRows(bars, bars.slice(0, Math.min(n, 200_000)), runs)));
  return rows;
};

export default suite;
