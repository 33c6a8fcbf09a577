import type { Exchange, Interval } from "../trader/constants.js";
import type { BarData, TickData } from "../trader/objects.js";

/*
 * The market data store, after vnpy's `BaseDatabase`: one interface, one adapter per backend
 * (SQLite, PostgreSQL). Bars and ticks are the plain `BarData`/`TickData` of tickwire/trader.
 * Every method is async so both backends share it; every error is a TickwireError (errors.ts).
 */

/** A time given as epoch ms, a `Date` or ISO 8601 text ("2024-01-02T09:00:00+08:00"). */
export type TimeInput = number | Date | string;

/** Which bars: one series (vtSymbol + interval), optionally a time range. */
export interface BarQuery {
  vtSymbol: string;
  interval: Interval;
  /** Inclusive start; omitted: from the first bar. */
  start?: TimeInput;
  /** Inclusive end (as vnpy); omitted: to the last bar. */
  end?: TimeInput;
}

/** Which ticks: one instrument, optionally a time range. */
export interface TickQuery {
  vtSymbol: string;
  /** Inclusive start; omitted: from the first tick. */
  start?: TimeInput;
  /** Inclusive end; omitted: to the last tick. */
  end?: TimeInput;
}

/** Options of `streamBars`/`streamTicks`. */
export interface StreamOptions {
  /** Rows per batch yielded; default `DEFAULT_STREAM_BATCH` (bars), a tenth of it for ticks. */
  batchSize?: number;
}

/** The default batch of `streamBars`: 10,000 bars are ~2.5 MB of objects. */
export const DEFAULT_STREAM_BATCH = 10_000;

/** One stored bar series, kept up to date on every save and delete (never by a scan). */
export interface BarOverview {
  vtSymbol: string;
  symbol: string;
  exchange: Exchange;
  interval: Interval;
  count: number;
  /** Datetime of the first bar, epoch ms. */
  start: number;
  /** Datetime of the last bar, epoch ms. */
  end: number;
}

/** The ticks stored of one instrument. */
export interface TickOverview {
  vtSymbol: string;
  symbol: string;
  exchange: Exchange;
  count: number;
  /** Datetime of the first tick, epoch ms. */
  start: number;
  /** Datetime of the last tick, epoch ms. */
  end: number;
}

/**
 * A market data store. Saving a bar that exists (same symbol, exchange, interval, datetime)
 * replaces it; a tick likewise by (symbol, exchange, datetime). A batch is validated whole first
 * (TW_DATA_INVALID_BAR / TW_DATA_INVALID_TICK naming the row) and written in one transaction:
 * all of it or nothing. Loads return rows in time order.
 */
export interface Database {
  /** The URL the store was opened with (no password). */
  readonly url: string;
  /** "sqlite" or "postgres". */
  readonly backend: DatabaseBackend;

  /** Saves (upserts) bars of any series; returns how many were written. */
  saveBars(bars: readonly BarData[]): Promise<number>;
  /** Bars of one series in time order. For long histories use `streamBars`. */
  loadBars(query: BarQuery): Promise<BarData[]>;
  /** The same bars as `loadBars`, in time order, in batches: memory holds one batch at a time. */
  streamBars(query: BarQuery, options?: StreamOptions): AsyncIterable<BarData[]>;
  /** Deletes the bars of one series (in the range, when given); returns how many. */
  deleteBars(query: BarQuery): Promise<number>;
  /** Every stored bar series, by vtSymbol then interval. */
  barOverview(): Promise<BarOverview[]>;

  saveTicks(ticks: readonly TickData[]): Promise<number>;
  loadTicks(query: TickQuery): Promise<TickData[]>;
  streamTicks(query: TickQuery, options?: StreamOptions): AsyncIterable<TickData[]>;
  deleteTicks(query: TickQuery): Promise<number>;
  tickOverview(): Promise<TickOverview[]>;

  /** Closes the connection(s); further calls fail with TW_DATA_CLOSED. Idempotent. */
  close(): Promise<void>;
}

export type DatabaseBackend = "sqlite" | "postgres";

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  /** Environment to read `TICKWIRE_DATABASE` from; default `process.env`. */
  env?: Record<string, string | undefined>;
}
