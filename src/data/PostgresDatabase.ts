import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { TickwireError } from "../event/errors.js";
import type { Exchange, Interval } from "../trader/constants.js";
import type { BarData, TickData } from "../trader/objects.js";
import { TW_DATA_CLOSED, TW_DATA_NOT_TICKWIRE, TW_DATA_SCHEMA_TOO_NEW, TW_DATA_UNAVAILABLE } from "./errors.js";
import { BAR_KIND, TICK_KIND, type SeriesInfo, type SeriesKind } from "./rows.js";
import { barKey, barOverview, tickKey, tickOverview, type SeriesKeyValues, type SeriesRow } from "./series.js";
import { queryRange } from "./time.js";
import { DEFAULT_STREAM_BATCH, type BarOverview, type BarQuery, type Database, type StreamOptions, type TickOverview, type TickQuery } from "./types.js";
import { validateBars, validateTicks } from "./validate.js";

const VERSION_TABLE = "tickwire_schema";
const INT8_OID = 20;

// Epoch ms and counts are int8; pg gives them as strings by default. They are always safe integers here.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

function seriesTableSql(kind: SeriesKind<unknown>): string {
  const extra = kind.extraKeyColumns.map((c) => `${c} text NOT NULL, `).join("");
  const key = ["symbol", "exchange", ...kind.extraKeyColumns].join(", ");
  return (
    `CREATE TABLE ${kind.seriesTable} (id serial PRIMARY KEY, symbol text NOT NULL, exchange text NOT NULL, ${extra}` +
    `count bigint NOT NULL DEFAULT 0, first_datetime bigint, last_datetime bigint, UNIQUE (${key}));`
  );
}

function dataTableSql(kind: SeriesKind<unknown>): string {
  const cols = kind.columns.map((c, i) => `${c} ${i === 0 ? "bigint" : kind.textColumns.includes(i) ? "text" : "double precision"} NOT NULL`);
  // No foreign key to the series table: its per-row check would cost COPY a third of its speed, and series rows are never deleted.
  return `CREATE TABLE ${kind.dataTable} (series integer NOT NULL, ${cols.join(", ")}, PRIMARY KEY (series, datetime));`;
}

/** Schema migrations: entry i brings the store to version i + 1. Append only. */
const MIGRATIONS: readonly string[] = [
  [BAR_KIND, TICK_KIND].map((k) => seriesTableSql(k as SeriesKind<unknown>) + "\n" + dataTableSql(k as SeriesKind<unknown>)).join("\n"),
];

function unavailable(url: string, why: string, cause: unknown): TickwireError {
  return new TickwireError(
    TW_DATA_UNAVAILABLE,
    `The database ${url} is unavailable: ${why}. Check that PostgreSQL is running and accepts this user (e.g. pg_ctlcluster 15 main start), that the database exists (createdb), or point TICKWIRE_DATABASE elsewhere.`,
    { cause, details: { url } },
  );
}

/** True for errors meaning the server or the connection is gone, not the statement wrong. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (
    typeof code === "string" &&
    (code.startsWith("08") || code.startsWith("57P") || code === "53300" || code === "3D000" || code === "28000" || code.startsWith("E"))
  )
    return true;
  return err instanceof Error && /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(err.message);
}

export async function openPostgresDatabase(connectionString: string, url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: 4, types, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 10_000 });
  // An idle connection the server drops emits here; the next query reconnects, so it must not crash the process.
  pool.on("error", () => undefined);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw unavailable(url, (cause as Error).message || String(cause), cause);
  }
  try {
    await checkIsTickwire(client, url);
    await migrate(client, url);
  } catch (err) {
    client.release();
    await pool.end().catch(() => undefined);
    throw err;
  }
  client.release();
  return new PostgresDatabase(pool, url);
}

/** The PostgreSQL store: a small pool; bulk saves through COPY. */
export class PostgresDatabase implements Database {
  readonly backend = "postgres" as const;
  private closed = false;
  private readonly bars: PgSeries<BarData>;
  private readonly ticks: PgSeries<TickData>;

  constructor(
    private readonly pool: pg.Pool,
    readonly url: string,
  ) {
    this.bars = new PgSeries(this, BAR_KIND);
    this.ticks = new PgSeries(this, TICK_KIND);
  }

  /** Runs `fn` on a pooled client, turning connection failures into TW_DATA_UNAVAILABLE. */
  private assertOpen(): void {
    if (this.closed) throw new TickwireError(TW_DATA_CLOSED, `The database ${this.url} is closed; open it again with openDatabase().`);
  }

  async with<R>(fn: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    this.assertOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (cause) {
      throw unavailable(this.url, (cause as Error).message || String(cause), cause);
    }
    let broken: unknown;
    try {
      return await fn(client);
    } catch (err) {
      if (isConnectionError(err)) {
        broken = err;
        throw unavailable(this.url, (err as Error).message, err);
      }
      throw err;
    } finally {
      // A broken client is destroyed rather than returned to the pool.
      client.release(broken === undefined ? undefined : (broken as Error));
    }
  }

  async saveBars(bars: readonly BarData[]): Promise<number> {
    this.assertOpen();
    validateBars(bars);
    return this.bars.save(bars);
  }

  async loadBars(query: BarQuery): Promise<BarData[]> {
    return this.bars.load(barKey(query), queryRange(query), -1);
  }

  async *streamBars(query: BarQuery, options: StreamOptions = {}): AsyncIterable<BarData[]> {
    yield* this.bars.stream(barKey(query), queryRange(query), options.batchSize ?? DEFAULT_STREAM_BATCH);
  }

  async deleteBars(query: BarQuery): Promise<number> {
    return this.bars.delete(barKey(query), queryRange(query));
  }

  async barOverview(): Promise<BarOverview[]> {
    const rows = await this.bars.overview();
    return rows.map(barOverview);
  }

  async saveTicks(ticks: readonly TickData[]): Promise<number> {
    this.assertOpen();
    validateTicks(ticks);
    return this.ticks.save(ticks);
  }

  async loadTicks(query: TickQuery): Promise<TickData[]> {
    return this.ticks.load(tickKey(query), queryRange(query), -1);
  }

  async *streamTicks(query: TickQuery, options: StreamOptions = {}): AsyncIterable<TickData[]> {
    yield* this.ticks.stream(tickKey(query), queryRange(query), options.batchSize ?? DEFAULT_STREAM_BATCH / 10);
  }

  async deleteTicks(query: TickQuery): Promise<number> {
    return this.ticks.delete(tickKey(query), queryRange(query));
  }

  async tickOverview(): Promise<TickOverview[]> {
    const rows = await this.ticks.overview();
    return rows.map(tickOverview);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

interface BatchStat {
  series: SeriesInfo;
  rows: number;
  first: number;
  last: number;
}

/** The statements of one kind (bars or ticks) on PostgreSQL. */
class PgSeries<T> {
  private readonly ids = new Map<string, SeriesInfo>();
  private readonly keyCols: string[];
  private readonly cols: string;
  private readonly where: string;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly kind: SeriesKind<T>,
  ) {
    this.keyCols = ["symbol", "exchange", ...kind.extraKeyColumns];
    this.cols = kind.columns.join(", ");
    this.where = `WHERE series = $1 AND datetime >= $2 AND datetime <= $3`;
  }

  async save(rows: readonly T[]): Promise<number> {
    if (rows.length === 0) return 0;
    const created = new Map<string, SeriesInfo>();
    return this.db.with(async (client) => {
      await client.query("BEGIN");
      try {
        const stats = await this.batchStats(client, rows, created);
        const direct = await this.noOverlap(client, stats);
        let copied = false;
        if (direct) {
          // Appending new times (the usual case: an import, a recorder) goes straight into the table.
          await client.query("SAVEPOINT direct");
          try {
            await this.copy(client, this.kind.dataTable, rows, stats);
            copied = true;
          } catch (err) {
            if ((err as { code?: string }).code !== "23505") throw err;
            await client.query("ROLLBACK TO SAVEPOINT direct");
          }
        }
        if (copied) {
          for (const st of stats.values()) await this.grow(client, st.series.id, st.rows, st.first, st.last);
        } else {
          await this.upsert(client, rows, stats);
        }
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
      for (const [k, v] of created) this.ids.set(k, v);
      return rows.length;
    });
  }

  /** Per-series row counts and time bounds of a batch, creating series rows not yet stored. */
  private async batchStats(client: pg.PoolClient, rows: readonly T[], created: Map<string, SeriesInfo>): Promise<Map<string, BatchStat>> {
    const stats = new Map<string, BatchStat>();
    let prev: T | undefined;
    let stat: BatchStat | undefined;
    for (const row of rows) {
      if (prev === undefined || stat === undefined || !this.kind.sameSeries(row, prev)) {
        const k = this.kind.seriesKey(row);
        stat = stats.get(k);
        if (stat === undefined) {
          const series = this.ids.get(k) ?? created.get(k) ?? (await this.createSeries(client, row, k, created));
          stat = { series, rows: 0, first: Number.MAX_SAFE_INTEGER, last: Number.MIN_SAFE_INTEGER };
          stats.set(k, stat);
        }
      }
      prev = row;
      const datetime = (row as { datetime: number }).datetime;
      stat.rows++;
      if (datetime < stat.first) stat.first = datetime;
      if (datetime > stat.last) stat.last = datetime;
    }
    return stats;
  }

  private async createSeries(client: pg.PoolClient, row: T, key: string, created: Map<string, SeriesInfo>): Promise<SeriesInfo> {
    const r = row as unknown as { symbol: string; exchange: Exchange; vtSymbol: string; interval?: Interval };
    const values = [r.symbol, r.exchange, ...this.kind.extraKeyColumns.map((c) => (r as unknown as Record<string, unknown>)[c])];
    const ph = values.map((_, i) => `$${i + 1}`).join(", ");
    // The no-op update makes RETURNING give the id of a series another writer created meanwhile.
    const res = await client.query<{ id: number }>(
      `INSERT INTO ${this.kind.seriesTable} (${this.keyCols.join(", ")}) VALUES (${ph}) ON CONFLICT (${this.keyCols.join(", ")}) DO UPDATE SET symbol = EXCLUDED.symbol RETURNING id`,
      values,
    );
    const info: SeriesInfo = { id: res.rows[0].id, symbol: r.symbol, exchange: r.exchange, vtSymbol: r.vtSymbol, interval: r.interval ?? ("tick" as Interval) };
    created.set(key, info);
    return info;
  }

  private async noOverlap(client: pg.PoolClient, stats: Map<string, BatchStat>): Promise<boolean> {
    for (const st of stats.values()) {
      const res = await client.query(`SELECT 1 FROM ${this.kind.dataTable} ${this.where} LIMIT 1`, [st.series.id, st.first, st.last]);
      if (res.rowCount !== 0) return false;
    }
    return true;
  }

  private async grow(client: pg.PoolClient, id: number, added: number, first: number, last: number): Promise<void> {
    await client.query(
      `UPDATE ${this.kind.seriesTable} SET count = count + $1, first_datetime = LEAST(first_datetime, $2), last_datetime = GREATEST(last_datetime, $3) WHERE id = $4`,
      [added, first, last, id],
    );
  }

  /** COPY `rows` (each with its series id) into `table`. */
  private async copy(client: pg.PoolClient, table: string, rows: readonly T[], stats: Map<string, BatchStat>): Promise<void> {
    const { kind } = this;
    const chunks = function* (): Generator<string> {
      let chunk = "";
      let n = 0;
      let prev: T | undefined;
      let id = 0;
      for (const row of rows) {
        if (prev === undefined || !kind.sameSeries(row, prev)) id = stats.get(kind.seriesKey(row))!.series.id;
        prev = row;
        chunk += kind.copyLine(row, id);
        if (++n === 2000) {
          yield chunk;
          chunk = "";
          n = 0;
        }
      }
      if (chunk.length > 0) yield chunk;
    };
    await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (series, ${this.cols}) FROM STDIN`)));
  }

  /** Rows that may replace stored ones: COPY into a temporary table, then one INSERT … ON CONFLICT. */
  private async upsert(client: pg.PoolClient, rows: readonly T[], stats: Map<string, BatchStat>): Promise<void> {
    const { kind } = this;
    // ON CONFLICT may not touch one row twice in a statement: keep the last of each (series, datetime).
    const last = new Map<string, T>();
    for (const row of rows) last.set(kind.seriesKey(row) + "@" + (row as { datetime: number }).datetime, row);
    const unique = last.size === rows.length ? rows : [...last.values()];
    const tmp = `tw_in_${kind.dataTable}`;
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${tmp} (LIKE ${kind.dataTable}) ON COMMIT DELETE ROWS`);
    await this.copy(client, tmp, unique, stats);
    const sets = kind.columns
      .slice(1)
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(", ");
    // xmax = 0 marks a row this statement inserted (not updated): the overview counts only those.
    const res = await client.query<{ series: number; added: number; first: number; last: number }>(
      `WITH up AS (INSERT INTO ${kind.dataTable} (series, ${this.cols}) SELECT series, ${this.cols} FROM ${tmp} ` +
        `ON CONFLICT (series, datetime) DO UPDATE SET ${sets} RETURNING series, datetime, (xmax = 0) AS inserted) ` +
        `SELECT series, count(*) FILTER (WHERE inserted)::int AS added, min(datetime) AS first, max(datetime) AS last FROM up GROUP BY series`,
    );
    const byId = new Map(res.rows.map((r) => [r.series, r]));
    for (const st of stats.values()) {
      const r = byId.get(st.series.id);
      if (r) await this.grow(client, r.series, r.added, r.first, r.last);
    }
  }

  private async find(client: pg.PoolClient, key: SeriesKeyValues): Promise<SeriesInfo | undefined> {
    const mapKey = key.length === 3 ? `${key[0]}.${key[1]}|${key[2]}` : `${key[0]}.${key[1]}`;
    let info = this.ids.get(mapKey);
    if (info !== undefined) return info;
    const res = await client.query<{ id: number }>(
      `SELECT id FROM ${this.kind.seriesTable} WHERE ${this.keyCols.map((c, i) => `${c} = $${i + 1}`).join(" AND ")}`,
      key,
    );
    if (res.rows.length === 0) return undefined;
    info = { id: res.rows[0].id, symbol: key[0], exchange: key[1], vtSymbol: `${key[0]}.${key[1]}`, interval: key[2] ?? ("tick" as Interval) };
    this.ids.set(mapKey, info);
    return info;
  }

  async load(key: SeriesKeyValues, [lo, hi]: [number, number], limit: number): Promise<T[]> {
    return this.db.with(async (client) => {
      const series = await this.find(client, key);
      if (series === undefined) return [];
      const sql = `SELECT ${this.cols} FROM ${this.kind.dataTable} ${this.where} ORDER BY datetime` + (limit < 0 ? "" : " LIMIT $4");
      const res = await client.query<unknown[]>({ text: sql, values: limit < 0 ? [series.id, lo, hi] : [series.id, lo, hi, limit], rowMode: "array" });
      const out = new Array<T>(res.rows.length);
      for (let i = 0; i < res.rows.length; i++) out[i] = this.kind.fromRow(res.rows[i], series);
      return out;
    });
  }

  // Pages by key (datetime > last): no transaction or connection is held between batches.
  async *stream(key: SeriesKeyValues, range: [number, number], batchSize: number): AsyncIterable<T[]> {
    const size = Math.max(1, Math.floor(batchSize));
    let [lo] = range;
    for (;;) {
      const batch = await this.load(key, [lo, range[1]], size);
      if (batch.length === 0) return;
      const last = (batch[batch.length - 1] as { datetime: number }).datetime;
      yield batch;
      if (batch.length < size) return;
      lo = last + 1;
    }
  }

  async delete(key: SeriesKeyValues, [lo, hi]: [number, number]): Promise<number> {
    return this.db.with(async (client) => {
      const series = await this.find(client, key);
      if (series === undefined) return 0;
      const d = this.kind.dataTable;
      await client.query("BEGIN");
      try {
        const n = (await client.query(`DELETE FROM ${d} ${this.where}`, [series.id, lo, hi])).rowCount ?? 0;
        if (n > 0) {
          await client.query(
            `UPDATE ${this.kind.seriesTable} SET count = count - $1, ` +
              `first_datetime = (SELECT datetime FROM ${d} WHERE series = $2 ORDER BY datetime LIMIT 1), ` +
              `last_datetime = (SELECT datetime FROM ${d} WHERE series = $2 ORDER BY datetime DESC LIMIT 1) WHERE id = $2`,
            [n, series.id],
          );
        }
        await client.query("COMMIT");
        return n;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    });
  }

  async overview(): Promise<SeriesRow[]> {
    return this.db.with(async (client) => {
      const order = ["symbol", "exchange", ...this.kind.extraKeyColumns].join(", ");
      return (await client.query<SeriesRow>(`SELECT * FROM ${this.kind.seriesTable} WHERE count > 0 ORDER BY ${order}`)).rows;
    });
  }
}

async function checkIsTickwire(client: pg.PoolClient, url: string): Promise<void> {
  const res = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
  );
  const tables = res.rows.map((r) => r.table_name);
  if (tables.length > 0 && !tables.includes(VERSION_TABLE)) {
    throw new TickwireError(
      TW_DATA_NOT_TICKWIRE,
      `${url} holds tables of something else (${tables.slice(0, 5).join(", ")}), not a tickwire store; it was left untouched. Create a database for tickwire (createdb tickwire) and put it in the URL.`,
      { details: { url, tables } },
    );
  }
}

async function migrate(client: pg.PoolClient, url: string): Promise<void> {
  await client.query("BEGIN");
  try {
    // Serializes processes opening a new store at once: the second waits, then finds it migrated.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('tickwire_schema'))");
    await client.query(`CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const res = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${VERSION_TABLE}`);
    const current = res.rows[0].v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new TickwireError(
        TW_DATA_SCHEMA_TOO_NEW,
        `${url} has schema version ${current}, newer than this tickwire's ${MIGRATIONS.length}; upgrade tickwire to use it.`,
        { details: { url, version: current } },
      );
    }
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1]);
      await client.query(`INSERT INTO ${VERSION_TABLE} (version) VALUES ($1)`, [v]);
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
