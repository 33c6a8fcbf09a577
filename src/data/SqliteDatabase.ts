import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { TickwireError } from "../event/errors.js";
import type { Exchange, Interval } from "../trader/constants.js";
import type { BarData, TickData } from "../trader/objects.js";
import { TW_DATA_CLOSED, TW_DATA_NOT_TICKWIRE, TW_DATA_SCHEMA_TOO_NEW, TW_DATA_UNAVAILABLE } from "./errors.js";
import { BAR_KIND, TICK_KIND, type SeriesInfo, type SeriesKind } from "./rows.js";
import { barKey, barOverview, tickKey, tickOverview, type SeriesKeyValues, type SeriesRow } from "./series.js";
import { queryRange } from "./time.js";
import { DEFAULT_STREAM_BATCH, type BarOverview, type BarQuery, type Database, type StreamOptions, type TickOverview, type TickQuery } from "./types.js";
import { validateBars, validateTicks } from "./validate.js";

type Db = BetterSqlite3.Database;
type Stmt = BetterSqlite3.Statement;

/** The marker table: a file holding tables but not this one is not a tickwire store. */
const VERSION_TABLE = "tickwire_schema";

function seriesTableSql(kind: SeriesKind<unknown>): string {
  const extra = kind.extraKeyColumns.map((c) => `${c} TEXT NOT NULL, `).join("");
  const key = ["symbol", "exchange", ...kind.extraKeyColumns].join(", ");
  return (
    `CREATE TABLE ${kind.seriesTable} (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, exchange TEXT NOT NULL, ${extra}` +
    `count INTEGER NOT NULL DEFAULT 0, first_datetime INTEGER, last_datetime INTEGER, UNIQUE (${key}));`
  );
}

function dataTableSql(kind: SeriesKind<unknown>): string {
  const cols = kind.columns.map((c, i) => `${c} ${i === 0 ? "INTEGER" : kind.textColumns.includes(i) ? "TEXT" : "REAL"} NOT NULL`);
  // WITHOUT ROWID: rows live in the (series, datetime) b-tree, so a range load is one ordered scan.
  return `CREATE TABLE ${kind.dataTable} (series INTEGER NOT NULL, ${cols.join(", ")}, PRIMARY KEY (series, datetime)) WITHOUT ROWID;`;
}

/** Schema migrations: entry i brings the store to version i + 1. Append only. */
const MIGRATIONS: readonly string[] = [
  [
    seriesTableSql(BAR_KIND as SeriesKind<unknown>),
    dataTableSql(BAR_KIND as SeriesKind<unknown>),
    seriesTableSql(TICK_KIND as SeriesKind<unknown>),
    dataTableSql(TICK_KIND as SeriesKind<unknown>),
  ].join("\n"),
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

export async function openSqliteDatabase(path: string, url: string): Promise<Database> {
  return SqliteDatabase.open(path, url);
}

/** SQLite result codes that mean the file cannot be used now, not that the call was wrong. */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|READONLY|FULL|CANTOPEN|CORRUPT|NOTADB|PERM)/;

function unavailable(url: string, why: string, cause: unknown): TickwireError {
  return new TickwireError(
    TW_DATA_UNAVAILABLE,
    `The database ${url} is unavailable: ${why}. Check that the folder exists and is writable, or point TICKWIRE_DATABASE at another file.`,
    { cause, details: { url } },
  );
}

/** The SQLite store: one connection, WAL mode so other processes read while this one writes. */
export class SqliteDatabase implements Database {
  readonly backend = "sqlite" as const;
  private closed = false;
  private readonly bars: SqliteSeries<BarData>;
  private readonly ticks: SqliteSeries<TickData>;

  private constructor(
    private readonly db: Db,
    readonly url: string,
  ) {
    this.bars = new SqliteSeries(db, BAR_KIND);
    this.ticks = new SqliteSeries(db, TICK_KIND);
  }

  static open(path: string, url: string): SqliteDatabase {
    if (path !== ":memory:") {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (cause) {
        throw unavailable(url, `cannot create its folder (${(cause as Error).message})`, cause);
      }
    }
    let db: Db;
    try {
      db = new BetterSqlite3(path);
    } catch (cause) {
      throw unavailable(url, (cause as Error).message, cause);
    }
    try {
      // Checked before anything writes: journal_mode=WAL alone would already change a foreign file.
      checkIsTickwire(db, url);
      db.pragma("busy_timeout = 10000");
      db.pragma("journal_mode = WAL");
      // NORMAL is durable across process crashes in WAL mode; only a power loss may drop the last commits.
      db.pragma("synchronous = NORMAL");
      migrate(db, url);
      return new SqliteDatabase(db, url);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private open(): void {
    if (this.closed) throw new TickwireError(TW_DATA_CLOSED, `The database ${this.url} is closed; open it again with openDatabase().`);
  }

  /** Runs `fn`, turning SQLite's "cannot write or read now" errors into TW_DATA_UNAVAILABLE. */
  private run<R>(fn: () => R): R {
    this.open();
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === "string" && UNAVAILABLE_CODES.test(code)) throw unavailable(this.url, `${code}: ${(err as Error).message}`, err);
      throw err;
    }
  }

  async saveBars(bars: readonly BarData[]): Promise<number> {
    this.open();
    validateBars(bars);
    return this.run(() => this.bars.save(bars));
  }

  async loadBars(query: BarQuery): Promise<BarData[]> {
    const key = barKey(query);
    const range = queryRange(query);
    return this.run(() => this.bars.load(key, range, -1));
  }

  async *streamBars(query: BarQuery, options: StreamOptions = {}): AsyncIterable<BarData[]> {
    yield* this.stream(this.bars, barKey(query), queryRange(query), options.batchSize ?? DEFAULT_STREAM_BATCH);
  }

  async deleteBars(query: BarQuery): Promise<number> {
    const key = barKey(query);
    const range = queryRange(query);
    return this.run(() => this.bars.delete(key, range));
  }

  async barOverview(): Promise<BarOverview[]> {
    return this.run(() => this.bars.overview()).map(barOverview);
  }

  async saveTicks(ticks: readonly TickData[]): Promise<number> {
    this.open();
    validateTicks(ticks);
    return this.run(() => this.ticks.save(ticks));
  }

  async loadTicks(query: TickQuery): Promise<TickData[]> {
    const key = tickKey(query);
    const range = queryRange(query);
    return this.run(() => this.ticks.load(key, range, -1));
  }

  async *streamTicks(query: TickQuery, options: StreamOptions = {}): AsyncIterable<TickData[]> {
    yield* this.stream(this.ticks, tickKey(query), queryRange(query), options.batchSize ?? DEFAULT_STREAM_BATCH / 10);
  }

  async deleteTicks(query: TickQuery): Promise<number> {
    const key = tickKey(query);
    const range = queryRange(query);
    return this.run(() => this.ticks.delete(key, range));
  }

  async tickOverview(): Promise<TickOverview[]> {
    return this.run(() => this.ticks.overview()).map(tickOverview);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  // Pages by key (datetime > last) rather than holding a statement open: better-sqlite3 refuses
  // any other use of the connection while an iterator is open, and a consumer may save meanwhile.
  private async *stream<T>(table: SqliteSeries<T>, key: SeriesKeyValues, range: [number, number], batchSize: number): AsyncIterable<T[]> {
    const size = Math.max(1, Math.floor(batchSize));
    let [lo] = range;
    for (;;) {
      const batch = this.run(() => table.load(key, [lo, range[1]], size));
      if (batch.length === 0) return;
      const last = (batch[batch.length - 1] as { datetime: number }).datetime;
      yield batch;
      if (batch.length < size) return;
      lo = last + 1;
    }
  }
}

/** The statements of one kind (bars or ticks): a series table plus its data table. */
class SqliteSeries<T> {
  private readonly ids = new Map<string, SeriesInfo>();
  private readonly findSeries: Stmt;
  private readonly addSeries: Stmt;
  private readonly insert: Stmt;
  private readonly update: Stmt;
  private readonly grow: Stmt;
  private readonly select: Stmt;
  private readonly selectPage: Stmt;
  private readonly remove: Stmt;
  private readonly firstOf: Stmt;
  private readonly lastOf: Stmt;
  private readonly shrink: Stmt;
  private readonly listSeries: Stmt;
  private readonly saveTx: (rows: readonly T[]) => number;

  constructor(
    private readonly db: Db,
    private readonly kind: SeriesKind<T>,
  ) {
    const s = kind.seriesTable;
    const d = kind.dataTable;
    const keyCols = ["symbol", "exchange", ...kind.extraKeyColumns];
    const cols = kind.columns;
    const placeholders = cols.map(() => "?").join(", ");
    this.findSeries = db.prepare(`SELECT id FROM ${s} WHERE ${keyCols.map((c) => `${c} = ?`).join(" AND ")}`).pluck();
    this.addSeries = db.prepare(`INSERT INTO ${s} (${keyCols.join(", ")}) VALUES (${keyCols.map(() => "?").join(", ")}) RETURNING id`).pluck();
    this.insert = db.prepare(`INSERT INTO ${d} (series, ${cols.join(", ")}) VALUES (?, ${placeholders}) ON CONFLICT DO NOTHING`);
    this.update = db.prepare(
      `UPDATE ${d} SET ${cols
        .slice(1)
        .map((c) => `${c} = ?`)
        .join(", ")} WHERE series = ? AND datetime = ?`,
    );
    this.grow = db.prepare(
      `UPDATE ${s} SET count = count + @added, first_datetime = min(coalesce(first_datetime, @first), @first), ` +
        `last_datetime = max(coalesce(last_datetime, @last), @last) WHERE id = @id`,
    );
    const where = `WHERE series = ? AND datetime >= ? AND datetime <= ?`;
    this.select = db.prepare(`SELECT ${cols.join(", ")} FROM ${d} ${where} ORDER BY datetime`).raw();
    this.selectPage = db.prepare(`SELECT ${cols.join(", ")} FROM ${d} ${where} ORDER BY datetime LIMIT ?`).raw();
    this.remove = db.prepare(`DELETE FROM ${d} ${where}`);
    this.firstOf = db.prepare(`SELECT datetime FROM ${d} WHERE series = ? ORDER BY datetime LIMIT 1`).pluck();
    this.lastOf = db.prepare(`SELECT datetime FROM ${d} WHERE series = ? ORDER BY datetime DESC LIMIT 1`).pluck();
    this.shrink = db.prepare(`UPDATE ${s} SET count = count - ?, first_datetime = ?, last_datetime = ? WHERE id = ?`);
    this.listSeries = db.prepare(`SELECT * FROM ${s} WHERE count > 0 ORDER BY symbol, exchange${kind.extraKeyColumns.map((c) => ", " + c).join("")}`);
    this.saveTx = db.transaction((rows: readonly T[]) => this.write(rows)).immediate as (rows: readonly T[]) => number;
  }

  save(rows: readonly T[]): number {
    if (rows.length === 0) return 0;
    try {
      return this.saveTx(rows);
    } catch (err) {
      // The transaction rolled back: series created in it are gone, so forget their ids.
      this.ids.clear();
      throw err;
    }
  }

  /** Inserts, or updates when the row exists, keeping the series' count and bounds. In a transaction. */
  private write(rows: readonly T[]): number {
    const { kind, insert, update } = this;
    const stats = new Map<SeriesInfo, { added: number; first: number; last: number }>();
    let prev: T | undefined;
    let series: SeriesInfo | undefined;
    let stat = { added: 0, first: 0, last: 0 };
    for (const row of rows) {
      if (prev === undefined || series === undefined || !kind.sameSeries(row, prev)) {
        series = this.seriesOf(row);
        let st = stats.get(series);
        if (st === undefined) {
          st = { added: 0, first: Number.MAX_SAFE_INTEGER, last: Number.MIN_SAFE_INTEGER };
          stats.set(series, st);
        }
        stat = st;
      }
      prev = row;
      const values = kind.values(row);
      const datetime = values[0] as number;
      if (insert.run(series.id, ...values).changes === 1) {
        stat.added++;
      } else {
        values.shift();
        update.run(...values, series.id, datetime);
      }
      if (datetime < stat.first) stat.first = datetime;
      if (datetime > stat.last) stat.last = datetime;
    }
    for (const [s, st] of stats) this.grow.run({ added: st.added, first: st.first, last: st.last, id: s.id });
    return rows.length;
  }

  private seriesOf(row: T): SeriesInfo {
    const key = this.kind.seriesKey(row);
    let info = this.ids.get(key);
    if (info !== undefined) return info;
    const r = row as unknown as { symbol: string; exchange: Exchange; vtSymbol: string; interval?: Interval };
    const keyValues = [r.symbol, r.exchange, ...this.kind.extraKeyColumns.map((c) => (r as unknown as Record<string, unknown>)[c])];
    const id = (this.findSeries.get(...keyValues) ?? this.addSeries.get(...keyValues)) as number;
    info = { id, symbol: r.symbol, exchange: r.exchange, vtSymbol: r.vtSymbol, interval: r.interval ?? ("tick" as Interval) };
    this.ids.set(key, info);
    return info;
  }

  /** The stored series of a key, or undefined. Not cached when absent: another process may add it. */
  private find(key: SeriesKeyValues): SeriesInfo | undefined {
    const mapKey = key.length === 3 ? `${key[0]}.${key[1]}|${key[2]}` : `${key[0]}.${key[1]}`;
    let info = this.ids.get(mapKey);
    if (info !== undefined) return info;
    const id = this.findSeries.get(...key) as number | undefined;
    if (id === undefined) return undefined;
    info = { id, symbol: key[0], exchange: key[1], vtSymbol: `${key[0]}.${key[1]}`, interval: key[2] ?? ("tick" as Interval) };
    this.ids.set(mapKey, info);
    return info;
  }

  /** Rows of a series in [lo, hi], at most `limit` (-1: all). */
  load(key: SeriesKeyValues, [lo, hi]: [number, number], limit: number): T[] {
    const series = this.find(key);
    if (series === undefined) return [];
    const rows = (limit < 0 ? this.select.all(series.id, lo, hi) : this.selectPage.all(series.id, lo, hi, limit)) as unknown[][];
    const out = new Array<T>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = this.kind.fromRow(rows[i], series);
    return out;
  }

  delete(key: SeriesKeyValues, [lo, hi]: [number, number]): number {
    const series = this.find(key);
    if (series === undefined) return 0;
    return this.db
      .transaction(() => {
        const n = this.remove.run(series.id, lo, hi).changes;
        if (n > 0) {
          const first = (this.firstOf.get(series.id) as number | undefined) ?? null;
          const last = (this.lastOf.get(series.id) as number | undefined) ?? null;
          this.shrink.run(n, first, last, series.id);
        }
        return n;
      })
      .immediate();
  }

  overview(): SeriesRow[] {
    return this.listSeries.all() as SeriesRow[];
  }
}

function checkIsTickwire(db: Db, url: string): void {
  let tables: string[];
  try {
    tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  } catch (cause) {
    if ((cause as { code?: string }).code === "SQLITE_NOTADB") {
      throw new TickwireError(
        TW_DATA_NOT_TICKWIRE,
        `${url} is not a SQLite database, so not a tickwire store; it was left untouched. Give another file (or a new path) in the URL or TICKWIRE_DATABASE.`,
        { cause, details: { url } },
      );
    }
    throw unavailable(url, (cause as Error).message, cause);
  }
  if (tables.length > 0 && !tables.includes(VERSION_TABLE)) {
    throw new TickwireError(
      TW_DATA_NOT_TICKWIRE,
      `${url} is a SQLite database of something else (tables ${tables.slice(0, 5).join(", ")}), not a tickwire store; it was left untouched. Give another file (or a new path) in the URL or TICKWIRE_DATABASE.`,
      { details: { url, tables } },
    );
  }
}

function migrate(db: Db, url: string): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`);
    const current = (db.prepare(`SELECT max(version) FROM ${VERSION_TABLE}`).pluck().get() as number | null) ?? 0;
    if (current > MIGRATIONS.length) {
      throw new TickwireError(
        TW_DATA_SCHEMA_TOO_NEW,
        `${url} has schema version ${current}, newer than this tickwire's ${MIGRATIONS.length}; upgrade tickwire to use it.`,
        { details: { url, version: current } },
      );
    }
    const record = db.prepare(`INSERT INTO ${VERSION_TABLE} (version, applied_at) VALUES (?, ?)`);
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v - 1]);
      record.run(v, Date.now());
    }
  }).immediate();
}
